using Unbudgeted;

// Never runs: the build stops at AQ0001 and AQ0003 (see README.md). With [Cost(1)] on OrderStatusAsync and
// [AgentLoop(MaxIterations = 10)] on AnswerAsync, it builds.
var tools = new ShopTools();
Console.WriteLine(await tools.OrderStatusAsync("o-1"));
Console.WriteLine(typeof(ShopAssistant).Name);

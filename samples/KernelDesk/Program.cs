using KernelDesk;
using Microsoft.SemanticKernel;

// Four questions to a Semantic Kernel kernel under AgentQuotas, offline.
using var desk = new Desk();

FunctionResult guarded = await desk.AskAsync("acme", new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "refund policy"))), "How do refunds work?");
Console.WriteLine("1. A guarded call:       " + guarded);

var searches = new ScriptedModel(ScriptedModel.Call("search_kb", ("query", "a")), ScriptedModel.Call("search_kb", ("query", "b")), ScriptedModel.Call("search_kb", ("query", "c")));
FunctionResult denied = await desk.AskAsync("acme", searches, "Search three times.");
Console.WriteLine("2. A denial, RetryAfter: " + denied);

FunctionResult drafted = await desk.AskAsync("acme", new ScriptedModel(ScriptedModel.Call("issue_refund", ("orderId", "A-1042"), ("amount", 25m))), "Refund A-1042.");
Console.WriteLine("3. A privileged call:    " + drafted);

var runaway = new ScriptedModel { Runaway = ScriptedModel.Call("weather", ("city", "Oslo")) };
FunctionResult capped = await desk.AskAsync("acme", runaway, "Keep checking the weather.");
Console.WriteLine($"4. A run capped:         the model took {runaway.Turns} turns; the run allows 6. " + capped);
Console.WriteLine($"Plugin: {desk.Plugin.Searches} searches, {desk.Plugin.Refunds} refunds, {desk.Plugin.Drafts} drafts; {desk.AuditTrail.Count} audit records.");

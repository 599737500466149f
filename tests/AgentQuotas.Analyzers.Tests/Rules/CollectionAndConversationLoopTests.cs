using System.Collections.Immutable;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// AQ0003: loops over a collection the loop cannot change are bounded, wherever the collection came from; a
/// conversation loop that waits for input each turn stays reported, and its message says why and how to cap it.
/// </summary>
public sealed class CollectionAndConversationLoopTests
{
    private static Task<ImmutableArray<Diagnostic>> Verify(string source) =>
        new AgentQuotasAnalyzerTest { Sources = { source }, DefaultId = "AQ0003", ReferenceFrameworks = true }.RunAsync();

    // ---- bounded by a collection ---------------------------------------------------------------

    [Fact]
    public async Task For_over_the_size_of_a_collection_the_loop_leaves_alone_is_bounded()
    {
        // Each bound reads a parameter (reported before this change: "its bound depends on parameter ...").
        await Verify("""
            using System.Collections.Immutable;

            public class Agent(IChatClient client)
            {
                private readonly IReadOnlyList<string> _questions = ["a", "b"];

                public async Task RunAsync(IList<string> list, IReadOnlyList<string> readOnly, string[] array, ImmutableArray<string> immutable, ICollection<string> collection, IEnumerable<string> sequence)
                {
                    for (int i = 0; i < list.Count; i++) await client.GetResponseAsync(list[i]);
                    for (int i = 0; i < readOnly.Count; i++) await client.GetResponseAsync(readOnly[i]);
                    for (int i = array.Length - 1; i >= 0; i--) await client.GetResponseAsync(array[i]);
                    for (int i = 0; i < immutable.Length; i++) await client.GetResponseAsync(immutable[i]);
                    for (int i = 0; i < collection.Count; i++) await client.GetResponseAsync("q");
                    for (int i = 0; i < _questions.Count; i++) await client.GetResponseAsync(_questions[i]);

                    // Reading, writing an element and handing the list to a read-only view do not change its size.
                    for (int i = 0; i < list.Count; i++)
                    {
                        list[i] = (await client.GetResponseAsync(string.Join(",", list))).Text;
                        if (list.Contains("stop")) break;
                    }

                    // A collection built from a parameter is still finite.
                    var copy = new List<string>(sequence);
                    for (int i = 0; i < copy.Count; i++) await client.GetResponseAsync(copy[i]);
                    for (int i = 0; i < copy.Count(); i++) await client.GetResponseAsync(copy[i]);
                }
            }
            """);
    }

    [Fact]
    public async Task A_collection_the_loop_grows_replaces_or_hands_to_a_mutator_is_not_a_bound()
    {
        var diagnostics = await Verify("""
            public class Agent(IChatClient client)
            {
                public async Task GrowsAsync(List<ChatMessage> history)
                {
                    [|for|] (int i = 0; i < history.Count; i++)
                    {
                        history.Add(new ChatMessage(ChatRole.User, (await client.GetResponseAsync(history)).Text));
                    }
                }

                public async Task ReplacedAsync(string[] pending)
                {
                    [|for|] (int i = 0; i < pending.Length; i++)
                    {
                        pending = (await client.GetResponseAsync(pending[i])).Text.Split(',');
                    }
                }

                public async Task HandedAsync(IList<string> work)
                {
                    [|for|] (int i = 0; i < work.Count; i++)
                    {
                        await client.GetResponseAsync(work[i]);
                        Refill(work);
                    }
                }

                private static void Refill(ICollection<string> work) => work.Add("more");
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("whose bound reads 'Count' of 'history', which may change inside the loop"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("whose bound reads the size of 'pending', which is replaced inside the loop"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("whose bound reads 'Count' of 'work', which may change inside the loop"));
    }

    [Fact]
    public async Task A_bound_that_mixes_a_collection_with_a_parameter_still_depends_on_the_parameter()
    {
        var diagnostics = await Verify("""
            public class Agent(IChatClient client)
            {
                public async Task RunAsync(IReadOnlyList<string> items, int extra)
                {
                    [|for|] (int i = 0; i < items.Count + extra; i++) await client.GetResponseAsync("q");
                }
            }
            """);

        Assert.Contains("whose bound depends on parameter 'extra'", diagnostics.Single().GetMessage());
    }

    // ---- while loops that count their turns ------------------------------------------------------

    [Fact]
    public async Task A_while_loop_that_counts_its_turns_towards_a_fixed_bound_is_bounded()
    {
        // The shape of SK's ContextDependentAdvertising sample ("loop until the game has started or the max iteration is reached").
        await Verify("""
            public class Game(IChatClient client)
            {
                private const int MaxTurns = 10;

                public async Task PlayAsync()
                {
                    int maxIteration = 10;
                    int iteration = 0;
                    string state = "";
                    while (!state.Contains("Game started.") && iteration < maxIteration)
                    {
                        state = (await client.GetResponseAsync(state)).Text;
                        iteration++;
                    }

                    int left = MaxTurns;
                    do
                    {
                        await client.GetResponseAsync("again");
                        left -= 2;
                    }
                    while (left > 0);
                }
            }
            """);
    }

    [Fact]
    public async Task A_while_counter_that_can_be_skipped_reset_or_bounded_by_a_parameter_is_not_a_bound()
    {
        var diagnostics = await Verify("""
            public class Game(IChatClient client)
            {
                public async Task SkipsAsync()
                {
                    int turn = 0;
                    [|while|] (turn < 10)
                    {
                        if ((await client.GetResponseAsync("go")).Text == "retry") continue;
                        turn++;
                    }
                }

                public async Task ResetsAsync()
                {
                    int turn = 0;
                    [|while|] (turn < 10)
                    {
                        if ((await client.GetResponseAsync("go")).Text == "again") turn = 0;
                        turn++;
                    }
                }

                public async Task ConditionalStepAsync()
                {
                    int turn = 0;
                    [|while|] (turn < 10)
                    {
                        if ((await client.GetResponseAsync("go")).Text == "ok") turn++;
                    }
                }

                public async Task ParameterAsync(int maxTurns)
                {
                    int turn = 0;
                    [|while|] (turn < maxTurns)
                    {
                        await client.GetResponseAsync("go");
                        turn++;
                    }
                }

                public async Task WrongWayAsync()
                {
                    int turn = 0;
                    [|while|] (turn < 10)
                    {
                        await client.GetResponseAsync("go");
                        turn--;
                    }
                }

                public async Task EitherAsync(bool done)
                {
                    int turn = 0;
                    [|while|] (!done || turn < 10)
                    {
                        done = (await client.GetResponseAsync("go")).Text == "done";
                        turn++;
                    }
                }
            }
            """);

        Assert.Equal(6, diagnostics.Length);
    }

    [Fact]
    public async Task A_foreach_over_a_sequence_of_unknown_type_still_says_what_it_is()
    {
        var test = new AgentQuotasAnalyzerTest
        {
            Sources =
            {
                """
                public class Agent(IChatClient client)
                {
                    public async Task RunAsync(Missing.Card card)
                    {
                        [|foreach|] (var skill in card.Skills) await client.GetResponseAsync("q");
                    }
                }
                """,
            },
            DefaultId = "AQ0003",
            AllowCompilerErrors = true,
        };
        var diagnostics = await test.RunAsync();

        Assert.StartsWith("This foreach loop over a sequence (which may never end) is", diagnostics.Single().GetMessage());
    }

    // ---- conversations -------------------------------------------------------------------------

    [Fact]
    public async Task Console_chat_loop_is_reported_with_why_and_how()
    {
        var diagnostics = await Verify("""
            public class ChatApp(IChatClient client)
            {
                public async Task ChatAsync()
                {
                    List<ChatMessage> history = [];
                    [|while|] (true)
                    {
                        Console.Write("You: ");
                        string? input = Console.ReadLine();
                        if (string.IsNullOrEmpty(input)) break;
                        history.Add(new ChatMessage(ChatRole.User, input));
                        ChatResponse response = await client.GetResponseAsync(history);
                        history.AddMessages(response);
                    }
                }
            }
            """);

        Assert.Equal(
            "This while loop is an unbounded agent loop: it waits for input each turn ('Console.ReadLine') and calls chat model 'IChatClient.GetResponseAsync', "
            + "so it runs as long as input keeps coming (a person can go on forever) and every turn spends budget; "
            + "cap 'ChatAsync' with [AgentLoop(MaxIterations = ...)] to end the conversation after that many turns",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Console_In_and_channel_reads_are_waits_for_input()
    {
        var diagnostics = await Verify("""
            using System.Threading.Channels;
            using Microsoft.SemanticKernel;

            public class Listeners(IChatClient client, Kernel kernel)
            {
                public async Task ConsoleInAsync()
                {
                    string? line;
                    [|while|] ((line = await Console.In.ReadLineAsync()) != null) await client.GetResponseAsync(line);
                }

                public async Task ChannelAsync(ChannelReader<string> questions)
                {
                    [|while|] (await questions.WaitToReadAsync())
                    {
                        string question = await questions.ReadAsync();
                        await kernel.InvokePromptAsync(question);
                    }
                }

                public async Task StreamAsync(ChannelReader<string> questions)
                {
                    await [|foreach|] (string question in questions.ReadAllAsync()) await client.GetResponseAsync(question);
                }

                public async Task FileAsync(System.IO.StreamReader file)
                {
                    string? line;
                    [|while|] ((line = await file.ReadLineAsync()) != null) await client.GetResponseAsync(line);
                }
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("waits for input each turn ('Console.In.ReadLineAsync')"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("waits for input each turn ('ChannelReader.WaitToReadAsync') and calls chat model 'Kernel.InvokePromptAsync'"));
        Assert.Contains(diagnostics, d => d.GetMessage().StartsWith("This await foreach loop is an unbounded agent loop: it waits for input each turn ('ChannelReader.ReadAllAsync')"));

        // A file ends: an ordinary unbounded loop, without the conversation wording.
        Assert.Single(diagnostics, d => !d.GetMessage().Contains("waits for input"));
    }

    [Fact]
    public async Task A_loop_that_reaches_the_model_through_helper_methods_is_an_agent_loop()
    {
        // Before this change calls into other methods were not followed, and this chat loop was silent.
        var diagnostics = await Verify("""
            public class ChatApp(IChatClient client)
            {
                public async Task ChatAsync()
                {
                    [|while|] (Console.ReadLine() is string input)
                    {
                        Console.WriteLine(await ProcessAsync(input));
                    }
                }

                private Task<string> ProcessAsync(string input) => AskAsync("User: " + input);

                private async Task<string> AskAsync(string prompt) => (await client.GetResponseAsync(prompt)).Text;

                public async Task EchoAsync()
                {
                    while (Console.ReadLine() is string input) Console.WriteLine(Format(input)); // no model anywhere
                }

                private static string Format(string text) => text.Trim();

                // Each arrival starts a capped run of its own (the SupportDesk sample's load generator): not an agent loop.
                public async Task ServeAsync(CancellationToken stop)
                {
                    while (!stop.IsCancellationRequested) await HandleAsync("next");
                }

                private Task<string> HandleAsync(string request) => AnswerAsync(request);

                [AgentLoop(MaxIterations = 5)]
                public async Task<string> AnswerAsync(string question) => await AskAsync(question);
            }
            """);

        Assert.Contains(
            "it waits for input each turn ('Console.ReadLine') and calls 'ChatApp.ProcessAsync', which calls 'ChatApp.AskAsync', which calls chat model 'IChatClient.GetResponseAsync'",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task A_model_call_in_a_return_statement_runs_once_and_does_not_make_an_agent_loop()
    {
        // The shape of a handler lookup (SK's MCP server demo): the loop searches, the call ends the method.
        await Verify("""
            public class Router(IChatClient client)
            {
                public Task<ChatResponse> RouteAsync(IEnumerable<string> routes, string uri)
                {
                    foreach (string route in routes)
                    {
                        if (uri.StartsWith(route)) return client.GetResponseAsync(uri);
                    }

                    throw new ArgumentException(uri);
                }

                public async Task<string> FirstAsync(IEnumerable<string> prompts)
                {
                    foreach (string prompt in prompts)
                    {
                        if (prompt.Length > 0) return await Ask(prompt);
                    }

                    return "";
                }

                private async Task<string> Ask(string prompt) => (await client.GetResponseAsync(prompt)).Text;
            }
            """);

        // A return inside a lambda the loop runs returns from the lambda only: still an agent loop.
        await Verify("""
            public class Worker(IChatClient client)
            {
                public async Task RunAsync()
                {
                    [|while|] (true)
                    {
                        await Task.Run(async () => { return await client.GetResponseAsync("tick"); });
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task A_capped_conversation_is_not_reported()
    {
        await Verify("""
            public class ChatApp(IChatClient client)
            {
                [AgentLoop(MaxIterations = 5)]
                public async Task ChatAsync()
                {
                    while (Console.ReadLine() is string input) await client.GetResponseAsync(input);
                }
            }
            """);
    }
}

using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// AQ0003: loops and recursion that call a guarded tool, an [AgentTool] or a chat model, unless bounded by
/// their own shape or by an [AgentLoop] cap on the way in.
/// </summary>
public sealed class UnboundedAgentLoopTests
{
    private const string Tools = """

        [QuotaCategory("search")]
        public class Tools
        {
            [AgentTool("search", "Searches"), Cost(1)]
            public Task<string> SearchAsync(string query) => Task.FromResult(query);

            public string Format(string text) => text;
        }
        """;

    private static Task<System.Collections.Immutable.ImmutableArray<Diagnostic>> Verify(string source, string? policy = TestPolicies.Standard) =>
        AgentQuotasAnalyzerTest.VerifyAsync(source + Tools, "AQ0003", policy);

    // ---- agent loops that are reported --------------------------------------------------------

    [Fact]
    public async Task While_true_around_a_chat_model_is_reported_and_names_the_call()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task<string> RunAsync(IChatClient client, string question)
                {
                    string answer = "";
                    [|while|] (true)
                    {
                        ChatResponse response = await client.GetResponseAsync(question);
                        answer = response.Text;
                        if (answer.Length > 10) break;
                    }
                    return answer;
                }
            }
            """);

        string message = diagnostics.Single().GetMessage();
        Assert.Equal(
            "This while loop is an unbounded agent loop: it calls chat model 'IChatClient.GetResponseAsync'; give it a constant bound or cap 'RunAsync' with [AgentLoop(MaxIterations = ...)]",
            message);
        Assert.Equal(DiagnosticSeverity.Error, diagnostics.Single().Severity);
    }

    [Fact]
    public async Task Do_while_around_a_guarded_tool_is_reported()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools)
                {
                    string last;
                    [|do|]
                    {
                        last = await tools.SearchAsync("q");
                    }
                    while (last.Length < 100);
                }
            }
            """);

        Assert.Contains("calls guarded tool 'Tools.SearchAsync'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Model_call_in_the_condition_counts()
    {
        await Verify("""
            public class Agent
            {
                public async Task RunAsync(IChatClient client, List<ChatMessage> messages)
                {
                    [|while|] ((await client.GetResponseAsync(messages)).FinishReason != ChatFinishReason.Stop)
                    {
                        messages.Add(new ChatMessage(ChatRole.User, "go on"));
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task For_without_condition_is_reported()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools)
                {
                    [|for|] (;;)
                    {
                        if ((await tools.SearchAsync("q")).Length > 3) return;
                    }
                }
            }
            """);

        Assert.StartsWith("This for loop with no condition is", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task For_bounded_by_a_parameter_is_reported_with_the_reason()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools, int maxTurns)
                {
                    [|for|] (int i = 0; i < maxTurns; i++)
                    {
                        await tools.SearchAsync("q" + i);
                    }
                }
            }
            """);

        Assert.StartsWith("This for loop whose bound depends on parameter 'maxTurns' is", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task For_bounded_by_a_local_copied_from_a_parameter_is_reported()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools, int[] limits)
                {
                    int turns = limits[0] * 2;
                    [|for|] (int i = 0; i < turns; i++)
                    {
                        await tools.SearchAsync("q");
                    }
                }
            }
            """);

        Assert.Contains("uses 'turns', which depends on parameter 'limits'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task For_over_a_list_the_loop_grows_is_reported()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                private readonly List<ChatMessage> _history = new();

                public async Task RunAsync(IChatClient client)
                {
                    [|for|] (int i = 0; i < _history.Count; i++)
                    {
                        ChatResponse response = await client.GetResponseAsync(_history);
                        _history.AddRange(response.Messages);
                    }
                }
            }
            """);

        Assert.Contains("reads 'Count' of '_history', which may change inside the loop", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task For_whose_counter_changes_in_the_body_is_reported()
    {
        await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools)
                {
                    [|for|] (int i = 0; i < 10; i++)
                    {
                        if ((await tools.SearchAsync("q")).Length == 0) i--;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Local_function_called_in_the_loop_counts_and_the_message_says_so()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task RunAsync(IChatClient client)
                {
                    bool done = false;
                    [|while|] (!done)
                    {
                        done = await StepAsync();
                    }

                    async Task<bool> StepAsync() => (await client.GetResponseAsync("next")).Text.Length == 0;
                }
            }
            """);

        Assert.Contains("it calls local function 'StepAsync', which calls chat model 'IChatClient.GetResponseAsync'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Lambda_held_in_a_local_and_invoked_in_the_loop_counts()
    {
        await Verify("""
            public class Agent
            {
                public async Task RunAsync(IChatClient client)
                {
                    Func<Task<ChatResponse>> step = () => client.GetResponseAsync("next");
                    [|while|] (true)
                    {
                        if ((await step()).Text == "done") break;
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task Lambda_passed_to_a_call_in_the_loop_counts()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools)
                {
                    [|while|] (true)
                    {
                        string result = await Task.Run(() => tools.SearchAsync("q"));
                        if (result.Length == 0) break;
                    }
                }
            }
            """);

        Assert.Contains("calls guarded tool 'Tools.SearchAsync'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Guarded_tool_passed_as_a_method_group_to_a_call_counts()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Agent
            {
                public async Task RunAsync(Tools tools, Func<Func<string, Task<string>>, Task<bool>> retry)
                {
                    {|AQ0003:while|} (await retry({|AQ0007:tools.SearchAsync|}))
                    {
                    }
                }
            }
            """ + Tools);
    }

    [Fact]
    public async Task Await_foreach_over_a_stream_with_a_tool_call_is_reported()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools, IAsyncEnumerable<string> questions)
                {
                    await [|foreach|] (string question in questions)
                    {
                        await tools.SearchAsync(question);
                    }
                }
            }
            """);

        Assert.StartsWith("This await foreach loop over an asynchronous stream is", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Foreach_over_a_range_sized_by_a_parameter_is_reported()
    {
        await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools, int turns, IEnumerable<string> questions)
                {
                    [|foreach|] (int i in Enumerable.Range(0, turns)) await tools.SearchAsync("q" + i);
                    [|foreach|] (string q in questions.Take(turns)) await tools.SearchAsync(q);
                }
            }
            """);
    }

    [Fact]
    public async Task Foreach_over_an_iterator_with_a_tool_call_is_reported()
    {
        await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools)
                {
                    [|foreach|] (string question in Questions())
                    {
                        await tools.SearchAsync(question);
                    }
                }

                private static IEnumerable<string> Questions()
                {
                    while (true) yield return "again";
                }
            }
            """);
    }

    [Fact]
    public async Task Streaming_and_AIFunction_calls_count()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task StreamAsync(IChatClient client)
                {
                    [|while|] (true)
                    {
                        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("more"))
                        {
                            Console.Write(update.Text);
                        }
                    }
                }

                public async Task InvokeAsync(AIFunction function)
                {
                    [|while|] (true)
                    {
                        await function.InvokeAsync();
                    }
                }
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("chat model 'IChatClient.GetStreamingResponseAsync'"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("a tool through 'AIFunction.InvokeAsync'"));
    }

    [Fact]
    public async Task Agent_tool_without_budget_counts_as_a_tool_call()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Lookup
            {
                [AgentTool("lookup", "Looks up")]
                public string {|AQ0001:Find|}(string key) => key;
            }

            public class Agent
            {
                public void Run(Lookup lookup)
                {
                    {|AQ0003:while|} (lookup.Find("k").Length > 0) { }
                }
            }
            """);
    }

    [Fact]
    public async Task Loops_under_a_constructor_body_and_in_a_local_function_of_a_method_body_are_each_found_once()
    {
        // A body block's loops and local functions are taken from the one scan of the whole member (its
        // IConstructorBodyOperation or IMethodBodyOperation), keeping only those inside the block.
        var diagnostics = await Verify("""
            public class Agent
            {
                public Agent(Tools tools) : this()
                {
                    [|while|] (true) tools.SearchAsync("q").Wait();
                }

                private Agent()
                {
                }

                public void Run(Tools tools)
                {
                    Step();

                    void Step()
                    {
                        [|while|] (true) tools.SearchAsync("q").Wait();
                    }
                }
            }
            """);

        Assert.Equal(2, diagnostics.Length);
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("cap its method 'Run'"));
    }

    [Fact]
    public async Task Loop_in_a_private_helper_reachable_without_a_cap_is_reported()
    {
        await Verify("""
            public class Agent
            {
                [AgentLoop(MaxIterations = 5)]
                public Task CappedAsync(Tools tools) => LoopAsync(tools);

                public Task UncappedAsync(Tools tools) => LoopAsync(tools);

                private async Task LoopAsync(Tools tools)
                {
                    [|while|] (true) await tools.SearchAsync("q");
                }
            }
            """);
    }

    [Fact]
    public async Task Bare_AgentLoop_caps_nothing_when_the_policy_has_no_run_limits()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                [AgentLoop]
                public async Task RunAsync(Tools tools)
                {
                    [|while|] (true) await tools.SearchAsync("q");
                }
            }
            """, TestPolicies.WithoutLimits);

        Assert.Contains("set a cap on the [AgentLoop] of 'RunAsync'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task AgentLoop_on_a_local_function_is_not_a_cap()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools)
                {
                    await LoopAsync();

                    [AgentLoop(MaxIterations = 3)]
                    async Task LoopAsync()
                    {
                        [|while|] (true) await tools.SearchAsync("q");
                    }
                }
            }
            """);

        Assert.Contains("cap its method 'RunAsync'", diagnostics.Single().GetMessage());
        Assert.Contains("[AgentLoop] on local function 'LoopAsync' is not enforced", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Loop_in_a_stored_lambda_is_not_covered_by_the_method_cap()
    {
        await Verify("""
            public class Agent
            {
                public Func<Task>? Later;

                [AgentLoop(MaxIterations = 3)]
                public void Schedule(Tools tools)
                {
                    Later = async () =>
                    {
                        [|while|] (true) await tools.SearchAsync("q");
                    };
                }
            }
            """);
    }

    [Fact]
    public async Task Top_level_statements_are_reported_with_advice_to_move_the_loop()
    {
        var diagnostics = await new AgentQuotasAnalyzerTest
        {
            Sources =
            {
                """
                IChatClient client = null!;
                [|while|] (true)
                {
                    Console.WriteLine((await client.GetResponseAsync("hi")).Text);
                }
                """,
            },
            DefaultId = "AQ0003",
            OutputKind = OutputKind.ConsoleApplication,
        }.RunAsync();

        Assert.EndsWith("give it a constant bound or move it into a method capped with [AgentLoop(MaxIterations = ...)]", diagnostics.Single().GetMessage());
    }

    // ---- recursion ------------------------------------------------------------------------------

    [Fact]
    public async Task Self_recursion_with_a_model_call_is_reported_at_the_recursive_call()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public async Task<string> AskAsync(IChatClient client, string question)
                {
                    ChatResponse response = await client.GetResponseAsync(question);
                    return response.Text.EndsWith("?") ? await [|AskAsync(client, response.Text)|] : response.Text;
                }
            }
            """);

        Assert.Equal(
            "This recursion (AskAsync -> AskAsync) is an unbounded agent loop: it calls chat model 'IChatClient.GetResponseAsync'; cap 'AskAsync' with [AgentLoop(MaxIterations = ...)]",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Mutual_recursion_is_reported_once_with_its_path()
    {
        var diagnostics = await Verify("""
            public class Agent
            {
                public Task PlanAsync(Tools tools, int depth) => [|ActAsync(tools, depth + 1)|];

                private async Task ActAsync(Tools tools, int depth)
                {
                    await tools.SearchAsync("step " + depth);
                    await PlanAsync(tools, depth);
                }
            }
            """);

        Assert.Contains("This recursion (PlanAsync -> ActAsync -> PlanAsync)", diagnostics.Single().GetMessage());
        Assert.Contains("calls guarded tool 'Tools.SearchAsync' (in 'ActAsync')", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Recursive_local_function_is_reported()
    {
        await Verify("""
            public class Agent
            {
                public Task RunAsync(IChatClient client)
                {
                    return StepAsync(0);

                    async Task StepAsync(int turn)
                    {
                        await client.GetResponseAsync("turn " + turn);
                        await [|StepAsync(turn + 1)|];
                    }
                }
            }
            """);
    }

    // ---- false-positive guards ---------------------------------------------------------------

    [Fact]
    public async Task Bounded_for_loops_are_not_reported()
    {
        await Verify("""
            public class Agent
            {
                private const int MaxTurns = 8;
                private readonly int _configured = 4;

                public async Task RunAsync(Tools tools, string[] unused)
                {
                    for (int i = 0; i < 10; i++) await tools.SearchAsync("a");
                    for (int i = MaxTurns; i > 0; i--) await tools.SearchAsync("b");
                    for (int i = 0; i <= _configured; i += 2) await tools.SearchAsync("c");

                    int turns = 3 * MaxTurns;
                    for (int i = 0; i < turns; i++) await tools.SearchAsync("d");

                    string[] questions = { "x", "y" };
                    for (int i = 0; i < questions.Length; i++) await tools.SearchAsync(questions[i]);

                    var pending = new List<string> { "p" };
                    for (int i = 0; i != pending.Count; i++) await tools.SearchAsync(pending[i]);
                }
            }
            """);
    }

    [Fact]
    public async Task Foreach_over_finite_collections_is_not_reported()
    {
        await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools, IReadOnlyList<string> questions, string[] more, Dictionary<string, int> scores, IChatClient client)
                {
                    foreach (string q in questions) await tools.SearchAsync(q);
                    foreach (string q in more) await tools.SearchAsync(q);
                    foreach (string q in scores.Keys) await tools.SearchAsync(q);
                    foreach (string q in questions.Where(q => q.Length > 0).Select(q => q.Trim())) await tools.SearchAsync(q);
                    foreach (int i in Enumerable.Range(0, 3)) await client.GetResponseAsync("turn " + i);
                    foreach (string q in Endless().Take(5)) await tools.SearchAsync(q);

                    var local = new List<string>(questions);
                    foreach (string q in local) await tools.SearchAsync(q);
                }

                private static IEnumerable<string> Endless() { while (true) yield return "x"; }
            }
            """);
    }

    [Fact]
    public async Task Loops_without_model_or_tool_calls_are_not_reported()
    {
        await Verify("""
            public class Agent
            {
                public async Task RunAsync(Tools tools, IChatClient client, IAsyncEnumerable<string> lines)
                {
                    int n = 0;
                    while (true) { if (++n > 100) break; }
                    do { n--; } while (n > 0);
                    while (n < 10) n = tools.Format("x").Length + n;

                    // The model is called once, before the loop; the loop only reads the stream.
                    await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
                    {
                        Console.Write(update.Text);
                    }

                    await foreach (string line in lines) Console.WriteLine(line);

                    // Stored, not run by the loop.
                    var later = new List<Func<Task<string>>>();
                    while (later.Count < 3) later.Add(() => tools.SearchAsync("later"));
                }
            }
            """);
    }

    [Fact]
    public async Task AgentLoop_on_the_method_bounds_its_loops()
    {
        await Verify("""
            public class Agent
            {
                [AgentLoop(MaxIterations = 8, MaxToolCalls = 20)]
                public async Task RunAsync(IChatClient client, Tools tools)
                {
                    while (true)
                    {
                        ChatResponse response = await client.GetResponseAsync("next");
                        if (response.FinishReason == ChatFinishReason.Stop) break;
                        await tools.SearchAsync(response.Text);
                    }

                    Func<Task> step = async () => await tools.SearchAsync("x");
                    do { await step(); } while (true);
                }

                [AgentLoop(MaxCost = 50)]
                public async Task CostCappedAsync(Tools tools)
                {
                    while (true) await tools.SearchAsync("q");
                }
            }
            """);
    }

    [Fact]
    public async Task Bare_AgentLoop_is_a_cap_when_every_tier_caps_runs()
    {
        await Verify("""
            public class Agent
            {
                [AgentLoop]
                public async Task RunAsync(Tools tools)
                {
                    while (true) await tools.SearchAsync("q");
                }
            }
            """);
    }

    [Fact]
    public async Task Cap_on_every_caller_covers_private_helpers_local_functions_and_lambdas()
    {
        await Verify("""
            public class Agent
            {
                [AgentLoop(MaxIterations = 5)]
                public async Task RunAsync(Tools tools, IChatClient client)
                {
                    await LoopAsync(tools);
                    await Task.Run(() => DeeperAsync(client));
                    await LocalAsync();

                    async Task LocalAsync()
                    {
                        while (true) await tools.SearchAsync("local");
                    }
                }

                [AgentLoop(MaxToolCalls = 9)]
                public Task OtherEntryAsync(Tools tools) => LoopAsync(tools);

                private async Task LoopAsync(Tools tools)
                {
                    while (true) await tools.SearchAsync("q");
                }

                private async Task DeeperAsync(IChatClient client)
                {
                    while (true) await client.GetResponseAsync("deeper");
                }
            }
            """);
    }

    [Fact]
    public async Task Capped_recursion_and_recursion_without_agent_calls_are_not_reported()
    {
        await Verify("""
            public class Agent
            {
                [AgentLoop(MaxIterations = 4)]
                public async Task<string> AskAsync(IChatClient client, string question)
                {
                    ChatResponse response = await client.GetResponseAsync(question);
                    return response.Text.EndsWith("?") ? await AskAsync(client, response.Text) : response.Text;
                }

                public int Fibonacci(int n) => n < 2 ? n : Fibonacci(n - 1) + Fibonacci(n - 2);

                public Task PlanAsync(Tools tools, int depth) => ActAsync(tools, depth);

                [AgentLoop(MaxIterations = 4)]
                private async Task ActAsync(Tools tools, int depth)
                {
                    await tools.SearchAsync("step");
                    await PlanAsync(tools, depth + 1);
                }
            }
            """);
    }

    [Fact]
    public async Task Code_without_the_runtime_or_a_chat_client_is_ignored()
    {
        await new AgentQuotasAnalyzerTest
        {
            Sources = { "public class C { public void M() { while (true) { System.Console.WriteLine(); } } }" },
            Policy = null,
            ReferenceAI = false,
        }.RunAsync();
    }
}

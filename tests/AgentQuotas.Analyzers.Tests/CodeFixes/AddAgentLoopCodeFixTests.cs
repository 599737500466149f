using AgentQuotas.Analyzers.CodeFixes;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AgentQuotas.Analyzers.Tests.CodeFixes;

/// <summary>The AQ0003 fix: cap the method with [AgentLoop(MaxIterations = 10)].</summary>
public sealed class AddAgentLoopCodeFixTests
{
    [Fact]
    public async Task Caps_the_method_around_the_loop()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddAgentLoopCodeFixProvider(),
            ExpectedTitle = "Cap 'RunAsync' with [AgentLoop(MaxIterations = 10)]",
            Sources =
            {
                """
                namespace App;

                public class Agent
                {
                    public async Task RunAsync(IChatClient client)
                    {
                        {|AQ0003:while|} (true)
                        {
                            await client.GetResponseAsync("next");
                        }
                    }
                }
                """,
            },
            FixedSources =
            {
                """
                using AgentQuotas;

                namespace App;

                public class Agent
                {
                    [AgentLoop(MaxIterations = 10)]
                    public async Task RunAsync(IChatClient client)
                    {
                        while (true)
                        {
                            await client.GetResponseAsync("next");
                        }
                    }
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public async Task Caps_the_method_that_holds_a_local_function_loop_or_a_recursion()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddAgentLoopCodeFixProvider(),
            Sources =
            {
                """
                using AgentQuotas;

                public class Agent
                {
                    /// <summary>Asks until the model stops asking back.</summary>
                    public async Task<string> AskAsync(IChatClient client, string question)
                    {
                        ChatResponse response = await client.GetResponseAsync(question);
                        return response.Text.EndsWith("?") ? await {|AQ0003:AskAsync(client, response.Text)|} : response.Text;
                    }
                }
                """,
            },
            FixedSources =
            {
                """
                using AgentQuotas;

                public class Agent
                {
                    /// <summary>Asks until the model stops asking back.</summary>
                    [AgentLoop(MaxIterations = 10)]
                    public async Task<string> AskAsync(IChatClient client, string question)
                    {
                        ChatResponse response = await client.GetResponseAsync(question);
                        return response.Text.EndsWith("?") ? await AskAsync(client, response.Text) : response.Text;
                    }
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public async Task Sets_a_cap_on_an_AgentLoop_that_has_none()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddAgentLoopCodeFixProvider(),
            Policy = TestPolicies.WithoutLimits,
            Sources =
            {
                """
                using AgentQuotas;

                public class Agent
                {
                    [AgentLoop(MaxToolCalls = 0)]
                    public async Task RunAsync(IChatClient client)
                    {
                        {|AQ0003:do|} { await client.GetResponseAsync("x"); } while (true);
                    }
                }
                """,
            },
            FixedSources =
            {
                """
                using AgentQuotas;

                public class Agent
                {
                    [AgentLoop(MaxToolCalls = 0, MaxIterations = 10)]
                    public async Task RunAsync(IChatClient client)
                    {
                        do { await client.GetResponseAsync("x"); } while (true);
                    }
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_all_caps_each_method_once_across_documents()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddAgentLoopCodeFixProvider(),
            FixAllScope = FixAllScope.Solution,
            Sources =
            {
                """
                using AgentQuotas;

                public class First
                {
                    public async Task RunAsync(IChatClient client)
                    {
                        {|AQ0003:while|} (true) await client.GetResponseAsync("a");
                        {|AQ0003:for|} (;;) await client.GetResponseAsync("b");
                    }

                    public async Task OtherAsync(IChatClient client)
                    {
                        {|AQ0003:while|} (true) await client.GetResponseAsync("c");
                    }
                }
                """,
                """
                using AgentQuotas;

                public class Second
                {
                    [Obsolete("kept")]
                    public async Task RunAsync(IChatClient client)
                    {
                        {|AQ0003:while|} (true) await client.GetResponseAsync("d");
                    }
                }
                """,
            },
            FixedSources =
            {
                """
                using AgentQuotas;

                public class First
                {
                    [AgentLoop(MaxIterations = 10)]
                    public async Task RunAsync(IChatClient client)
                    {
                        while (true) await client.GetResponseAsync("a");
                        for (;;) await client.GetResponseAsync("b");
                    }

                    [AgentLoop(MaxIterations = 10)]
                    public async Task OtherAsync(IChatClient client)
                    {
                        while (true) await client.GetResponseAsync("c");
                    }
                }
                """,
                """
                using AgentQuotas;

                public class Second
                {
                    [Obsolete("kept")]
                    [AgentLoop(MaxIterations = 10)]
                    public async Task RunAsync(IChatClient client)
                    {
                        while (true) await client.GetResponseAsync("d");
                    }
                }
                """,
            },
        }.RunAsync();
    }
}

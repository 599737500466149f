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
        new AnalyzerTest { Sources = { source }, DefaultId = "AQ0003", ReferenceFrameworks = true }.RunAsync();

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

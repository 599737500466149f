using System.Collections.Immutable;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// AQ0003 sees the model APIs real agent code uses, compiled against the real packages: Semantic Kernel chat
/// and prompts, Agent Framework agents, OpenAI's ChatClient, Microsoft.Extensions.AI's overloads, and tools run
/// through a framework (SK's FunctionCallContent.InvokeAsync, MCP's CallToolAsync). Before this change each of
/// these loops was silent.
/// </summary>
public sealed class FrameworkModelLoopTests
{
    private static Task<ImmutableArray<Diagnostic>> Verify(string source) =>
        new AgentQuotasAnalyzerTest { Sources = { source }, DefaultId = "AQ0003", ReferenceFrameworks = true }.RunAsync();

    /// <summary>The message of the one diagnostic in <paramref name="method"/> (the diagnostics come in source order).</summary>
    private static string MessageIn(ImmutableArray<Diagnostic> diagnostics, string method) =>
        diagnostics.Single(d => d.GetMessage().Contains("'" + method + "'", StringComparison.Ordinal)).GetMessage();

    [Fact]
    public async Task Semantic_Kernel_manual_function_calling_loop_is_reported_once()
    {
        // The shape of SK's FunctionCalling sample: the inner foreach over GetFunctionCalls is finite, and nested
        // in the reported loop anyway, so only the outer loop is reported.
        var diagnostics = await Verify("""
            using Microsoft.SemanticKernel;
            using Microsoft.SemanticKernel.ChatCompletion;
            using SkFunctionCallContent = Microsoft.SemanticKernel.FunctionCallContent;

            public class WeatherAgent
            {
                public async Task RunAsync(Kernel kernel, PromptExecutionSettings settings)
                {
                    IChatCompletionService chatCompletionService = kernel.GetRequiredService<IChatCompletionService>();
                    ChatHistory chatHistory = [];
                    chatHistory.AddUserMessage("What is the likely color of the sky in Boston today?");
                    [|while|] (true)
                    {
                        ChatMessageContent result = await chatCompletionService.GetChatMessageContentAsync(chatHistory, settings, kernel);
                        IEnumerable<SkFunctionCallContent> functionCalls = SkFunctionCallContent.GetFunctionCalls(result);
                        if (!functionCalls.Any())
                        {
                            break;
                        }

                        chatHistory.Add(result);
                        foreach (SkFunctionCallContent functionCall in functionCalls)
                        {
                            var resultContent = await functionCall.InvokeAsync(kernel);
                            chatHistory.Add(resultContent.ToChatMessage());
                        }
                    }
                }
            }
            """);

        Assert.Equal(
            "This while loop is an unbounded agent loop: it calls chat model 'IChatCompletionService.GetChatMessageContentAsync'; give it a constant bound or cap 'RunAsync' with [AgentLoop(MaxIterations = ...)]",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Semantic_Kernel_services_prompts_and_tools_are_model_or_tool_calls()
    {
        var diagnostics = await Verify("""
            using Microsoft.SemanticKernel;
            using Microsoft.SemanticKernel.ChatCompletion;
            using SkFunctionCallContent = Microsoft.SemanticKernel.FunctionCallContent;

            public class Agents
            {
                public async Task ContentsAsync(IChatCompletionService chat, ChatHistory history)
                {
                    [|while|] (history.Count < 50)
                    {
                        IReadOnlyList<ChatMessageContent> replies = await chat.GetChatMessageContentsAsync(history);
                        history.AddRange(replies);
                    }
                }

                public async Task StreamingAsync(IChatCompletionService chat, ChatHistory history)
                {
                    [|do|]
                    {
                        await foreach (StreamingChatMessageContent update in chat.GetStreamingChatMessageContentsAsync(history)) Console.Write(update.Content);
                    }
                    while (history.Count < 50);
                }

                public async Task PromptAsync(Kernel kernel)
                {
                    string answer = "";
                    [|while|] (!answer.Contains("DONE"))
                    {
                        answer = (await kernel.InvokePromptAsync("Continue: " + answer)).ToString();
                    }
                }

                public async Task PromptStreamingAsync(Kernel kernel)
                {
                    [|for|] (;;)
                    {
                        await foreach (var chunk in kernel.InvokePromptStreamingAsync("Tell me more")) Console.Write(chunk);
                    }
                }

                public async Task PromptFunctionAsync(Kernel kernel)
                {
                    KernelFunction summarize = kernel.CreateFunctionFromPrompt("Summarize: {{$input}}");
                    string text = "long";
                    [|while|] (text.Length > 10)
                    {
                        text = (await kernel.InvokeAsync(summarize, new() { ["input"] = text })).ToString();
                    }
                }

                public async Task ToolAsync(Kernel kernel, SkFunctionCallContent call)
                {
                    [|while|] (true)
                    {
                        await call.InvokeAsync(kernel);
                    }
                }
            }
            """);

        Assert.Contains("chat model 'IChatCompletionService.GetChatMessageContentsAsync'", MessageIn(diagnostics, "ContentsAsync"));
        Assert.Contains("chat model 'IChatCompletionService.GetStreamingChatMessageContentsAsync'", MessageIn(diagnostics, "StreamingAsync"));
        Assert.Contains("chat model 'Kernel.InvokePromptAsync'", MessageIn(diagnostics, "PromptAsync"));
        Assert.Contains("chat model 'Kernel.InvokePromptStreamingAsync'", MessageIn(diagnostics, "PromptStreamingAsync"));
        Assert.Contains("calls prompt function through 'Kernel.InvokeAsync' (a chat model call)", MessageIn(diagnostics, "PromptFunctionAsync"));
        Assert.Contains("calls a tool through 'FunctionCallContent.InvokeAsync'", MessageIn(diagnostics, "ToolAsync"));
    }

    [Fact]
    public async Task Agent_Framework_runs_are_agent_calls()
    {
        var diagnostics = await Verify("""
            using Microsoft.Agents.AI;

            public class Orchestrator
            {
                public async Task<string> ReviseAsync(AIAgent writer, AIAgent critic)
                {
                    AgentSession session = await writer.CreateSessionAsync();
                    string draft = (await writer.RunAsync("Write a slogan", session)).Text;
                    [|while|] (!(await critic.RunAsync("Approve? " + draft)).Text.Contains("APPROVED"))
                    {
                        draft = (await writer.RunAsync("Improve it", session)).Text;
                    }

                    return draft;
                }

                public async Task StreamAsync(ChatClientAgent agent)
                {
                    [|while|] (true)
                    {
                        await foreach (AgentResponseUpdate update in agent.RunStreamingAsync("next")) Console.Write(update.Text);
                    }
                }
            }
            """);

        Assert.Contains("calls agent 'AIAgent.RunAsync'", MessageIn(diagnostics, "ReviseAsync"));
        Assert.Contains("calls agent 'AIAgent.RunStreamingAsync'", MessageIn(diagnostics, "StreamAsync"));
        Assert.Equal(2, diagnostics.Length);
    }

    // Seen in the Agent Framework's published middleware samples (corpus run of 2026-12-06, docs/benchmarks.md section 7):
    // a local function handed to the agent pipeline as run middleware keeps asking the inner agent while it has
    // something left to confirm. The loop runs while the enclosing method awaits the agent, so the report names that
    // method, and an [AgentLoop] there bounds it; on the local function it would not (AgentLoop_on_a_local_function_is_not_a_cap).
    [Fact]
    public async Task Agent_Framework_middleware_loop_in_a_local_function_is_capped_by_the_method_that_runs_it()
    {
        var diagnostics = await Verify("""
            using Microsoft.Agents.AI;
            using Microsoft.Extensions.AI;

            public class Desk
            {
                public async Task<string> HandleAsync(AIAgent agent, string question)
                {
                    AgentResponse answer = await agent.AsBuilder().Use(ConfirmAsync, null).Build().RunAsync(question);
                    return answer.Text;

                    async Task<AgentResponse> ConfirmAsync(IEnumerable<ChatMessage> messages, AgentSession? session, AgentRunOptions? options, AIAgent inner, CancellationToken ct)
                    {
                        AgentResponse response = await inner.RunAsync(messages, session, options, ct);
                        [|while|] (response.Text.Contains("CONFIRM?"))
                        {
                            response = await inner.RunAsync("yes", session, options, ct);
                        }

                        return response;
                    }
                }

                [AgentLoop(MaxIterations = 6)]
                public async Task<string> HandleCappedAsync(AIAgent agent, string question)
                {
                    AgentResponse answer = await agent.AsBuilder().Use(ConfirmAsync, null).Build().RunAsync(question);
                    return answer.Text;

                    async Task<AgentResponse> ConfirmAsync(IEnumerable<ChatMessage> messages, AgentSession? session, AgentRunOptions? options, AIAgent inner, CancellationToken ct)
                    {
                        AgentResponse response = await inner.RunAsync(messages, session, options, ct);
                        while (response.Text.Contains("CONFIRM?"))
                        {
                            response = await inner.RunAsync("yes", session, options, ct);
                        }

                        return response;
                    }
                }
            }
            """);

        Assert.Contains("calls agent 'AIAgent.RunAsync'", diagnostics.Single().GetMessage());
        Assert.Contains("'HandleAsync'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task OpenAI_chat_and_responses_clients_are_model_calls()
    {
        var diagnostics = await Verify("""
            using OpenAI.Chat;
            using OpenAI.Responses;

            #pragma warning disable OPENAI001 // the Responses API is marked experimental

            public class Assistant
            {
                public async Task ChatAsync(ChatClient client, List<OpenAI.Chat.ChatMessage> messages)
                {
                    [|while|] (true)
                    {
                        ChatCompletion completion = await client.CompleteChatAsync(messages);
                        if (completion.FinishReason == OpenAI.Chat.ChatFinishReason.Stop) break;
                        messages.Add(new AssistantChatMessage(completion));
                    }
                }

                public void Stream(ChatClient client, OpenAI.Chat.ChatMessage[] messages)
                {
                    [|while|] (true)
                    {
                        foreach (StreamingChatCompletionUpdate update in client.CompleteChatStreaming(messages)) Console.Write(update.ContentUpdate.Count);
                    }
                }

                public async Task RespondAsync(ResponsesClient responses)
                {
                    [|while|] (true)
                    {
                        await responses.CreateResponseAsync("gpt-4o", "again", null);
                    }
                }
            }
            """);

        Assert.Contains("chat model 'ChatClient.CompleteChatAsync'", MessageIn(diagnostics, "ChatAsync"));
        Assert.Contains("chat model 'ChatClient.CompleteChatStreaming'", MessageIn(diagnostics, "Stream"));
        Assert.Contains("chat model 'ResponsesClient.CreateResponseAsync'", MessageIn(diagnostics, "RespondAsync"));
    }

    [Fact]
    public async Task Extensions_AI_overloads_and_MCP_tool_calls_count()
    {
        var diagnostics = await Verify("""
            using ModelContextProtocol.Client;

            public record Verdict(bool Done, string Next);

            public class Agent
            {
                public async Task StructuredAsync(IChatClient client)
                {
                    string question = "start";
                    [|while|] (true)
                    {
                        ChatResponse<Verdict> verdict = await client.GetResponseAsync<Verdict>(question);
                        if (verdict.Result.Done) break;
                        question = verdict.Result.Next;
                    }
                }

                public async Task McpAsync(McpClient client)
                {
                    [|while|] (true)
                    {
                        await client.CallToolAsync("search", new Dictionary<string, object?> { ["q"] = "again" });
                    }
                }

                public async Task McpToolAsync(McpClientTool tool)
                {
                    [|while|] (true)
                    {
                        await tool.CallAsync(new Dictionary<string, object?>());
                    }
                }
            }
            """);

        Assert.Contains("chat model 'IChatClient.GetResponseAsync'", MessageIn(diagnostics, "StructuredAsync"));
        Assert.Contains("a tool through 'McpClient.CallToolAsync'", MessageIn(diagnostics, "McpAsync"));
        Assert.Contains("a tool through 'McpClientTool.CallAsync'", MessageIn(diagnostics, "McpToolAsync"));
    }

    [Fact]
    public async Task Bounded_or_capped_framework_loops_are_not_reported()
    {
        await Verify("""
            using Microsoft.Agents.AI;
            using Microsoft.SemanticKernel;
            using Microsoft.SemanticKernel.ChatCompletion;
            using OpenAI.Chat;

            public class Agents
            {
                private static readonly string[] Topics = ["a", "b"];

                public async Task RunAsync(Kernel kernel, IChatCompletionService chat, AIAgent agent, ChatClient openAi, IReadOnlyList<string> questions)
                {
                    foreach (string topic in Topics) await kernel.InvokePromptAsync("Explain " + topic);
                    for (int i = 0; i < questions.Count; i++) await agent.RunAsync(questions[i]);
                    for (int i = 0; i < 3; i++) await openAi.CompleteChatAsync(new UserChatMessage("turn " + i));
                }

                [AgentLoop(MaxIterations = 8)]
                public async Task CappedAsync(IChatCompletionService chat, ChatHistory history)
                {
                    while (true) history.Add(await chat.GetChatMessageContentAsync(history));
                }
            }
            """);
    }

    [Fact]
    public async Task Semantic_Kernel_agents_and_group_chats_are_agent_calls()
    {
        // Microsoft.SemanticKernel.Agents.* is not served by the package registry: a minimal stub with the real
        // namespace, type names and member shapes stands in for it.
        var diagnostics = await Verify("""
            using Microsoft.SemanticKernel;
            using Microsoft.SemanticKernel.Agents;

            namespace Microsoft.SemanticKernel.Agents
            {
                public abstract class Agent
                {
                    public IAsyncEnumerable<ChatMessageContent> InvokeAsync(string message) => throw new NotImplementedException();
                }

                public sealed class ChatCompletionAgent : Agent { }

                public abstract class AgentChat
                {
                    public IAsyncEnumerable<ChatMessageContent> InvokeStreamingAsync() => throw new NotImplementedException();
                }

                public sealed class AgentGroupChat : AgentChat { }
            }

            public class Chat
            {
                public async Task TalkAsync(ChatCompletionAgent agent)
                {
                    [|while|] (Console.ReadLine() is string input)
                    {
                        await foreach (ChatMessageContent reply in agent.InvokeAsync(input)) Console.WriteLine(reply);
                    }
                }

                public async Task DebateAsync(AgentGroupChat chat)
                {
                    [|do|]
                    {
                        await foreach (ChatMessageContent reply in chat.InvokeStreamingAsync()) Console.WriteLine(reply);
                    }
                    while (true);
                }
            }
            """);

        Assert.Contains("calls agent 'Agent.InvokeAsync'", MessageIn(diagnostics, "TalkAsync"));
        Assert.Contains("calls agent 'AgentChat.InvokeStreamingAsync'", MessageIn(diagnostics, "DebateAsync"));
    }

    [Fact]
    public async Task Methods_handed_to_a_tool_factory_are_stored_not_run_by_the_loop()
    {
        // AIFunctionFactory.Create keeps the delegate (its parameter is an untyped System.Delegate): building tools
        // in a loop is not running them. Before, the loop was reported as calling the local function (which is a tool: AQ0001).
        await Verify("""
            using Microsoft.Agents.AI;

            public static class Tools
            {
                public static IEnumerable<AIFunction> For(AIAgent remote, IEnumerable<string> skills)
                {
                    foreach (string skill in skills)
                    {
                        yield return AIFunctionFactory.Create(RunAsync, skill);
                    }

                    async Task<string> {|AQ0001:RunAsync|}(string input) => (await remote.RunAsync(input)).Text;
                }
            }
            """);
    }
}

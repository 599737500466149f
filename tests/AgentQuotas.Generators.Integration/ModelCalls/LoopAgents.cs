using System.Reflection;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentQuotas.Generators.Integration.ModelCalls;

public sealed record Answer(int Value);

/// <summary>Agent loops over Microsoft.Extensions.AI chat clients, as a developer writes them.</summary>
public sealed class ChatLoops
{
    /// <summary>A loop with no bound of its own: only the [AgentLoop] cap stops it.</summary>
    [AgentLoop(MaxIterations = 10)]
    public async Task<int> UntilRefusedAsync(IChatClient chat)
    {
        int turns = 0;
        while (true)
        {
            ChatResponse response = await chat.GetResponseAsync("next");
            turns += response.Text.Length > 0 ? 1 : 0;
        }
    }

    [AgentLoop(MaxIterations = 10)]
    public async Task<int> TurnsAsync(IChatClient chat, int turns)
    {
        for (int i = 0; i < turns; i++)
        {
            await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "turn " + i)]);
        }

        return turns;
    }

    [AgentLoop(MaxIterations = 3)]
    public async Task<int> StreamAsync(IChatClient chat, int turns)
    {
        int updates = 0;
        for (int i = 0; i < turns; i++)
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("stream"))
            {
                updates += update.Contents.Count;
            }
        }

        return updates;
    }

    [AgentLoop(MaxIterations = 4, TokenCategory = "chat", InputTokenCost = 1, OutputTokenCost = 2)]
    public async Task<int> ChargedAsync(IChatClient chat, int turns)
    {
        for (int i = 0; i < turns; i++)
        {
            await chat.GetResponseAsync("charged");
        }

        return turns;
    }

    [AgentLoop(MaxIterations = 3)]
    public async Task<int> StructuredAsync(IChatClient chat, int turns)
    {
        int sum = 0;
        for (int i = 0; i < turns; i++)
        {
            ChatResponse<Answer> answer = await chat.GetResponseAsync<Answer>("structured");
            sum += answer.Result.Value;
        }

        return sum;
    }

    /// <summary>Five turns of its own, then two calls of <see cref="InnerAsync"/> made by reflection (no interceptor).</summary>
    [AgentLoop(MaxIterations = 5)]
    public async Task<int> OuterAsync(IChatClient chat)
    {
        for (int i = 0; i < 5; i++)
        {
            await chat.GetResponseAsync("outer");
        }

        MethodInfo inner = typeof(ChatLoops).GetMethod(nameof(InnerAsync))!;
        int total = 0;
        for (int i = 0; i < 2; i++)
        {
            total += await (Task<int>)inner.Invoke(this, [chat])!;
        }

        return total;
    }

    [AgentLoop(MaxIterations = 2)]
    public async Task<int> InnerAsync(IChatClient chat)
    {
        await chat.GetResponseAsync("inner a");
        await chat.GetResponseAsync("inner b");
        return 2;
    }

    /// <summary>The first model call is made in a lambda.</summary>
    [AgentLoop(MaxIterations = 3)]
    public async Task<int> LambdaFirstAsync(IChatClient chat)
    {
        Func<Task<ChatResponse>> ask = () => chat.GetResponseAsync("lambda");
        await ask();
        await ask();
        return 2;
    }

    /// <summary>A model call in the body first, then calls in a lambda: all count against one cap.</summary>
    [AgentLoop(MaxIterations = 3)]
    public async Task<int> BodyThenLambdaAsync(IChatClient chat, int lambdaCalls)
    {
        await chat.GetResponseAsync("body");
        Func<Task<ChatResponse>> ask = () => chat.GetResponseAsync("lambda");
        for (int i = 0; i < lambdaCalls; i++)
        {
            await ask();
        }

        return 1 + lambdaCalls;
    }

    /// <summary>Not async: the model call returns its task directly.</summary>
    [AgentLoop(MaxIterations = 2)]
    public Task<ChatResponse> SyncAsk(IChatClient chat) => chat.GetResponseAsync("sync");
}

/// <summary>docs/rules/AQ0003.md's compliant example, exactly as the page shows it.</summary>
public sealed class Aq0003CompliantExample
{
    [AgentLoop(MaxIterations = 8, MaxToolCalls = 20)]
    public async Task<string> RunAsync(IChatClient chat, List<ChatMessage> messages)
    {
        while (true)                       // capped: each model call is an iteration; the 9th is refused
        {
            ChatResponse response = await chat.GetResponseAsync(messages);
            if (response.FinishReason == ChatFinishReason.Stop) return response.Text;
            messages.AddRange(response.Messages);
        }
    }
}

/// <summary>Semantic Kernel loops: chat completion (list, single, streaming) and prompts.</summary>
public sealed class KernelLoops
{
    [AgentLoop(MaxIterations = 3, TokenCategory = "chat")]
    public async Task ChatCompletionAsync(IChatCompletionService service)
    {
        var history = new ChatHistory();
        while (true)
        {
            IReadOnlyList<ChatMessageContent> replies = await service.GetChatMessageContentsAsync(history);
            history.AddRange(replies);
        }
    }

    [AgentLoop(MaxIterations = 3)]
    public async Task SingleReplyAsync(IChatCompletionService service)
    {
        var history = new ChatHistory();
        while (true)
        {
            history.Add(await service.GetChatMessageContentAsync(history));
        }
    }

    [AgentLoop(MaxIterations = 3, TokenCategory = "chat")]
    public async Task<int> StreamingAsync(IChatCompletionService service, int turns)
    {
        int parts = 0;
        for (int i = 0; i < turns; i++)
        {
            await foreach (StreamingChatMessageContent part in service.GetStreamingChatMessageContentsAsync("stream"))
            {
                parts++;
            }
        }

        return parts;
    }

    [AgentLoop(MaxIterations = 3)]
    public async Task PromptAsync(Kernel kernel)
    {
        while (true)
        {
            FunctionResult result = await kernel.InvokePromptAsync("Say more.");
            _ = result.GetValue<string>();
        }
    }

    [AgentLoop(MaxIterations = 3)]
    public async Task<int> PromptStreamingAsync(Kernel kernel, int turns)
    {
        int parts = 0;
        for (int i = 0; i < turns; i++)
        {
            await foreach (StreamingKernelContent part in kernel.InvokePromptStreamingAsync("Say more."))
            {
                parts++;
            }
        }

        return parts;
    }
}

/// <summary>Agent Framework loops.</summary>
public sealed class AgentFrameworkLoops
{
    [AgentLoop(MaxIterations = 3, TokenCategory = "chat")]
    public async Task RunAsync(AIAgent agent)
    {
        AgentSession session = await agent.CreateSessionAsync();
        while (true)
        {
            AgentResponse response = await agent.RunAsync("more", session);
            _ = response.Text;
        }
    }

    [AgentLoop(MaxIterations = 3)]
    public async Task<int> RunStreamingAsync(AIAgent agent, int turns)
    {
        int updates = 0;
        for (int i = 0; i < turns; i++)
        {
            await foreach (AgentResponseUpdate update in agent.RunStreamingAsync("more"))
            {
                updates++;
            }
        }

        return updates;
    }
}

/// <summary>A hosted worker: the host calls ExecuteAsync, so no interceptor wraps the [AgentLoop] method itself.</summary>
public sealed class PollingWorker(IChatClient chat) : BackgroundService
{
    public int Turns { get; private set; }

    [AgentLoop(MaxIterations = 3)]
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await chat.GetResponseAsync("poll", cancellationToken: stoppingToken);
            Turns++;
        }
    }
}

/// <summary>One model call through a function-invoking pipeline; remembers the loop run it ran in.</summary>
public sealed class FunctionLoop
{
    public static readonly List<AgentRun> Runs = [];

    [AgentLoop(MaxIterations = 5)]
    public async Task<int> OnceAsync(IChatClient chat, AIFunction tool)
    {
        ChatResponse response = await chat.GetResponseAsync("use the tool", new ChatOptions { Tools = [tool] });
        lock (Runs)
        {
            Runs.Add(AgentQuotas.AgentRun.Current!);
        }

        return response.Text.Length > 0 ? 1 : 0;
    }
}

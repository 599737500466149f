using AgentQuotas;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace KernelDesk;

/// <summary>
/// The sample's wiring: a kernel with the desk's plugin (annotated) and a <c>weather</c> function nobody annotated (its quota
/// is in the policy), a chat model with Semantic Kernel's automatic function calling, and one line,
/// <c>kernelBuilder.AddAgentQuotas()</c>; each question runs inside an agent run opened where the caller is authenticated.
/// </summary>
public sealed class Desk : IDisposable
{
    private static readonly PromptExecutionSettings AutoFunctionCalling = new() { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
    private readonly InMemoryAuditSink _audit = new();

    /// <summary>Creates the desk on the policy next to the program.</summary>
    /// <param name="policy">The policy; <c>agentquotas.json</c> beside the executable when <see langword="null"/>.</param>
    /// <param name="time">The gate's clock; the system clock when <see langword="null"/> (tests pass a manual one).</param>
    public Desk(QuotaPolicy? policy = null, TimeProvider? time = null)
    {
        Gate = new QuotaGate(
            policy ?? QuotaPolicy.Load(Path.Combine(AppContext.BaseDirectory, "agentquotas.json")),
            new QuotaGateOptions { AuditSink = _audit, TimeProvider = time ?? TimeProvider.System });
    }

    /// <summary>The gate.</summary>
    public QuotaGate Gate { get; }

    /// <summary>The plugin (and what it really did).</summary>
    public DeskPlugin Plugin { get; } = new();

    /// <summary>The audit trail.</summary>
    public IReadOnlyList<QuotaAuditRecord> AuditTrail => _audit.Snapshot();

    /// <summary>Builds the kernel for a model.</summary>
    /// <param name="model">The (scripted) chat model.</param>
    public Kernel Kernel(IChatClient model)
    {
        ArgumentNullException.ThrowIfNull(model);
        IKernelBuilder builder = Microsoft.SemanticKernel.Kernel.CreateBuilder()
            .AddAgentQuotas(o => o.PluginTargets.Add(Plugin));   // every function invocation guarded; PluginTargets: for the instance fallback
        builder.Services.AddSingleton<IChatCompletionService>(model.AsBuilder().UseKernelFunctionInvocation().Build().AsChatCompletionService());
        builder.Plugins.AddFromObject(Plugin, "Desk");
        builder.Plugins.AddFromFunctions("Weather", [KernelFunctionFactory.CreateFromMethod((string city) => "sunny in " + city, "weather")]);
        return builder.Build();
    }

    /// <summary>Asks once, for <paramref name="tenant"/>, inside an agent run (the authenticated caller's).</summary>
    /// <param name="tenant">The tenant, from authentication.</param>
    /// <param name="model">The scripted model.</param>
    /// <param name="question">The question.</param>
    public async Task<FunctionResult> AskAsync(string tenant, IChatClient model, string question)
    {
        using AgentRun run = Gate.BeginRun(new AgentIdentity(tenant, "user-1"), WorkloadClass.High, "desk");
        return await Kernel(model).InvokePromptAsync(question, new KernelArguments(AutoFunctionCalling));
    }

    /// <inheritdoc/>
    public void Dispose() => Gate.Dispose();
}

using AgentQuotas;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Zoo;

/// <summary>
/// Parameters a framework supplies rather than the model: CancellationToken (any name), IServiceProvider,
/// AIFunctionArguments and Semantic Kernel's Kernel. Direct calls pass them as written; the generated
/// AIFunctions bind them from the invocation and leave them out of the JSON schema.
/// </summary>
[QuotaCategory("zoo")]
public sealed class FrameworkParameterTools
{
    [AgentTool("WithToken", "Zoo tool WithToken."), Cost(1)]
    public async Task<string> WithToken(string query, CancellationToken cancellationToken)
    {
        await Task.Delay(0, cancellationToken);
        return Probe.Hit(query);
    }

    [AgentTool("WithTokenNamedCancellation", "Zoo tool WithTokenNamedCancellation."), Cost(1)]
    public Task<string> WithTokenNamedCancellation(string query, CancellationToken cancellation = default) =>
        Task.FromResult(Probe.Hit(query + cancellation.CanBeCanceled));

    [AgentTool("WithServices", "Zoo tool WithServices."), Cost(1)]
    public string WithServices(string query, IServiceProvider serviceProvider) => Probe.Hit(query + (serviceProvider is null));

    [AgentTool("WithOptionalServices", "Zoo tool WithOptionalServices."), Cost(1)]
    public string WithOptionalServices(string query, IServiceProvider? serviceProvider = null) => Probe.Hit(query + (serviceProvider is null));

    [AgentTool("WithArguments", "Zoo tool WithArguments."), Cost(1)]
    public string WithArguments(AIFunctionArguments arguments) => Probe.Hit(arguments.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The kernel the last <see cref="WithKernel"/> call received.</summary>
    public Kernel? LastKernel { get; private set; }

    [AgentTool("WithKernel", "Zoo tool WithKernel."), Cost(1)]
    public Task<string> WithKernel(Kernel kernel, string query, CancellationToken cancellationToken)
    {
        LastKernel = kernel;
        return Task.FromResult(Probe.Hit(query + kernel.Plugins.Count + cancellationToken.IsCancellationRequested));
    }

    [AgentTool("WithEverything", "Zoo tool WithEverything."), Cost(1)]
    public string WithEverything(Kernel kernel, AIFunctionArguments arguments, IServiceProvider serviceProvider, CancellationToken cancellationToken, string context) =>
        Probe.Hit(context + kernel.Plugins.Count + arguments.Count + (serviceProvider is null) + cancellationToken.IsCancellationRequested);

    [AgentTool("WithTwoTokens", "Zoo tool WithTwoTokens."), Cost(1)]
    public string WithTwoTokens(string query, CancellationToken first, CancellationToken second) => Probe.Hit(query + first.Equals(second));
}

public static class FrameworkParameterShapes
{
    public static IEnumerable<Shape> All(FrameworkParameterTools tools) =>
    [
        new("framework/CancellationToken cancellationToken", () => tools.WithToken("x", CancellationToken.None)),
        new("framework/CancellationToken cancellation = default", () => tools.WithTokenNamedCancellation("x")),
        new("framework/IServiceProvider serviceProvider", () => tools.WithServices("x", EmptyServices.Instance)),
        new("framework/IServiceProvider? serviceProvider = null", () => tools.WithOptionalServices("x")),
        new("framework/AIFunctionArguments arguments", () => tools.WithArguments(new AIFunctionArguments())),
        new("framework/Kernel kernel", () => tools.WithKernel(new Kernel(), "x", CancellationToken.None)),
        new("framework/all together", () => tools.WithEverything(new Kernel(), new AIFunctionArguments(), EmptyServices.Instance, CancellationToken.None, "c")),
        new("framework/two tokens", () => tools.WithTwoTokens("x", CancellationToken.None, CancellationToken.None)),
    ];
}

public sealed class EmptyServices : IServiceProvider
{
    public static readonly EmptyServices Instance = new();

    public object? GetService(Type serviceType) => null;
}

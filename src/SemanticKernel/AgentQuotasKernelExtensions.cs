using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace AgentQuotas.SemanticKernel;

/// <summary>
/// Puts a Semantic Kernel under AgentQuotas: <c>kernel.UseAgentQuotas()</c> on a built kernel, or
/// <c>kernelBuilder.AddAgentQuotas()</c> while building one.
/// </summary>
public static class AgentQuotasKernelExtensions
{
    /// <summary>
    /// Adds AgentQuotas' function-invocation filter and auto-function-invocation filter to <paramref name="kernel"/>: every
    /// <see cref="KernelFunction"/> invocation (<c>kernel.InvokeAsync</c>, <c>plugin["fn"].InvokeAsync</c>, automatic function
    /// calling) gets the same decision as a direct call of an annotated tool, and prompt functions count as model turns of the
    /// current run. Calling it again on the same kernel does nothing.
    /// </summary>
    /// <param name="kernel">The kernel.</param>
    /// <param name="configure">Adjusts the options; defaults when <see langword="null"/>.</param>
    /// <returns>The kernel.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static Kernel UseAgentQuotas(this Kernel kernel, Action<AgentQuotasKernelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.FunctionInvocationFilters.OfType<AgentQuotasFunctionFilter>().Any())
        {
            return kernel;
        }

        AgentQuotasKernelOptions options = Configure(configure);
        kernel.FunctionInvocationFilters.Add(new AgentQuotasFunctionFilter(options));
        kernel.AutoFunctionInvocationFilters.Add(new AgentQuotasAutoFunctionFilter());
        return kernel;
    }

    /// <summary>
    /// Registers AgentQuotas' filters in the kernel builder's services, so every kernel it builds guards its function
    /// invocations like <see cref="UseAgentQuotas"/> does. Registering twice adds nothing.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="configure">Adjusts the options; defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IKernelBuilder AddAgentQuotas(this IKernelBuilder builder, Action<AgentQuotasKernelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(IFunctionInvocationFilter) && d.ImplementationInstance is AgentQuotasFunctionFilter))
        {
            return builder;
        }

        AgentQuotasKernelOptions options = Configure(configure);
        builder.Services.AddSingleton<IFunctionInvocationFilter>(new AgentQuotasFunctionFilter(options));
        builder.Services.AddSingleton<IAutoFunctionInvocationFilter>(new AgentQuotasAutoFunctionFilter());
        return builder;
    }

    private static AgentQuotasKernelOptions Configure(Action<AgentQuotasKernelOptions>? configure)
    {
        var options = new AgentQuotasKernelOptions();
        configure?.Invoke(options);
        options.Validate();
        return options;
    }
}

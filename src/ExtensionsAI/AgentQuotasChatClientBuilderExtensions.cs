using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Extensions.AI;

/// <summary>Puts AgentQuotas into a <see cref="ChatClientBuilder"/> pipeline: <c>builder.UseAgentQuotas()</c>.</summary>
public static class AgentQuotasChatClientBuilderExtensions
{
    /// <summary>
    /// Adds function invocation under AgentQuotas to the pipeline, in the right order by construction: an
    /// <see cref="AgentQuotasFunctionInvokingChatClient"/> (every function call guarded) over a <see cref="GuardedChatClient"/>
    /// (every model round trip is an iteration of the current run, its tokens are charged, and the last turn the run
    /// allows is answered without tools). It replaces <c>UseFunctionInvocation()</c>: a plain function-invoking client
    /// beneath it would run tools unguarded, so building such a pipeline fails with the fix; one above it is harmless
    /// (this one answers every function call first).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options; defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseAgentQuotas(this ChatClientBuilder builder, Action<AgentQuotasChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new AgentQuotasChatClientOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.Use((inner, services) =>
        {
            if (inner.GetService<FunctionInvokingChatClient>() is not null)
            {
                throw new InvalidOperationException(
                    "A FunctionInvokingChatClient sits beneath UseAgentQuotas() in this pipeline, so it would invoke tools before AgentQuotas " +
                    "could guard them. UseAgentQuotas() includes function invocation: remove UseFunctionInvocation() (configure it through " +
                    "AgentQuotasChatClientOptions.ConfigureFunctionInvocation instead), or call it before UseAgentQuotas().");
            }

            var turns = new GuardedChatClient(inner, options.Turns);
            var invoking = new AgentQuotasFunctionInvokingChatClient(turns, options.Registry, services.GetService<ILoggerFactory>(), services);
            options.ConfigureFunctionInvocation?.Invoke(invoking);
            return invoking;
        });
    }
}

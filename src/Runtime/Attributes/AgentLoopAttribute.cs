namespace AgentQuotas;

/// <summary>
/// Caps the agent loop in a method. Calls to the method run in a child <see cref="AgentRun"/> whose
/// caps are these values, tightened by the tenant tier's limits; every model turn and guarded tool
/// call inside counts against them.
/// </summary>
/// <remarks>
/// <para>A value of <c>0</c> means "no cap of its own" (the tier's limit still applies).</para>
/// <para>
/// The generator also intercepts the model calls written in the method's body (Microsoft.Extensions.AI
/// <c>IChatClient</c>, Semantic Kernel <c>IChatCompletionService</c> and <c>Kernel.InvokePromptAsync</c>,
/// Agent Framework <c>AIAgent.RunAsync</c>): each is an iteration of the method's capped run, and with
/// <see cref="TokenCategory"/> set its token usage is charged like <c>GuardedChatClient</c> charges it.
/// This holds even when the method is invoked where no interceptor wraps it (a framework, reflection):
/// the first model call opens the capped run for the rest of that invocation.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AgentLoopAttribute : Attribute
{
    /// <summary>Most loop iterations (model turns) allowed; <c>0</c> for none of its own.</summary>
    public int MaxIterations { get; set; }

    /// <summary>Most guarded tool calls allowed; <c>0</c> for none of its own.</summary>
    public int MaxToolCalls { get; set; }

    /// <summary>Most cost units the loop may spend; <c>0</c> for none of its own.</summary>
    public double MaxCost { get; set; }

    /// <summary>
    /// The quota category that pays for the tokens of the model calls in the method, or <see langword="null"/>
    /// (the default) to count model calls as iterations without charging tokens. When set, each model call
    /// first checks that the tenant's bucket is not empty, and its reported usage is then charged to the
    /// bucket and to the run's cost (see <c>AgentRun.RecordUsage</c>).
    /// </summary>
    public string? TokenCategory { get; set; }

    /// <summary>Cost units per input (prompt) token when <see cref="TokenCategory"/> is set. Default 1; finite and zero or more.</summary>
    public double InputTokenCost { get; set; } = 1;

    /// <summary>Cost units per output (completion) token when <see cref="TokenCategory"/> is set. Default 1; finite and zero or more.</summary>
    public double OutputTokenCost { get; set; } = 1;
}

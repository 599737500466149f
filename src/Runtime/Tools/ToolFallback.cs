namespace AgentQuotas.Tools;

/// <summary>
/// Runs a tool's <see cref="FallbackAttribute">fallback</see> (the DraftOnly rung) with the arguments of the denied
/// call. Generated code wraps the fallback method in one.
/// </summary>
/// <param name="target">The instance the tool belongs to, for an instance fallback; <see langword="null"/> for a static one.</param>
/// <param name="arguments">The call's arguments by parameter name.</param>
/// <param name="cancellationToken">Cancels the fallback.</param>
/// <returns>The fallback's result (<see langword="null"/> for a fallback without one).</returns>
/// <exception cref="Guard.ToolArgumentException">An argument is missing or has the wrong type.</exception>
public delegate ValueTask<object?> ToolFallback(object? target, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken);

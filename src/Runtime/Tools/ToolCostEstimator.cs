namespace AgentQuotas.Tools;

/// <summary>
/// Computes the planned cost of one call from the arguments a framework passes (values are usually
/// <see cref="System.Text.Json.JsonElement"/>s or the parameter types themselves; read them with
/// <see cref="Guard.ToolArguments"/>). Generated code wraps a tool's <c>[Cost(Estimator = ...)]</c> method in one.
/// </summary>
/// <param name="arguments">The call's arguments by parameter name.</param>
/// <returns>The cost: a finite number greater than zero.</returns>
/// <exception cref="Guard.ToolArgumentException">An argument the estimate needs is missing or has the wrong type.</exception>
public delegate double ToolCostEstimator(IReadOnlyDictionary<string, object?> arguments);

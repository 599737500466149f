namespace AgentQuotas.Policy;

/// <summary>
/// A <c>models</c> entry: a model a routing chat client may send a turn to, the compute pool its turns run in,
/// its token prices and its capability rank (higher is more capable).
/// </summary>
public sealed class ModelPolicy
{
    internal ModelPolicy(string name, string pool, double inputCostPer1K, double outputCostPer1K, int rank, int order)
    {
        Name = name;
        Pool = pool;
        InputCostPer1K = inputCostPer1K;
        OutputCostPer1K = outputCostPer1K;
        Rank = rank;
        Order = order;
    }

    /// <summary>The model name (what a request's <c>ModelId</c> names, and what the audit record and metrics carry).</summary>
    public string Name { get; }

    /// <summary>The pool (of the policy's <c>pools</c>) whose concurrency bounds this model's turns in flight.</summary>
    public string Pool { get; }

    /// <summary>Price of 1,000 input tokens (in the policy's cost unit, 0 or more).</summary>
    public double InputCostPer1K { get; }

    /// <summary>Price of 1,000 output tokens (in the policy's cost unit, 0 or more).</summary>
    public double OutputCostPer1K { get; }

    /// <summary>Capability rank, 1 or more: a request whose rule asks for <c>minRank</c> n is never sent to a model below n.</summary>
    public int Rank { get; }

    /// <summary>The entry's position in the policy (ties of rank are broken by it).</summary>
    internal int Order { get; }

    /// <summary>The price of a turn that read <paramref name="inputTokens"/> and wrote <paramref name="outputTokens"/>.</summary>
    /// <param name="inputTokens">Input tokens (0 or more).</param>
    /// <param name="outputTokens">Output tokens (0 or more).</param>
    public double CostOf(long inputTokens, long outputTokens) =>
        (Math.Max(0, inputTokens) * InputCostPer1K / 1000d) + (Math.Max(0, outputTokens) * OutputCostPer1K / 1000d);

    /// <inheritdoc/>
    public override string ToString() => Name + " (pool " + Pool + ", rank " + Rank + ")";
}

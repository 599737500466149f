using Microsoft.SemanticKernel;

namespace AgentQuotas.SemanticKernel;

// Tells the function-invocation filter that the invocation it sees was asked for by the model (automatic function calling),
// so refusals become results the model reads. Only the function the auto filter announced takes the mark, and taking it
// clears it, so a function that the tool itself invokes (a nested manual call) keeps direct-call semantics.
internal static class AutoInvocation
{
    private static readonly AsyncLocal<KernelFunction?> Announced = new();

    public static Scope Begin(KernelFunction function)
    {
        KernelFunction? outer = Announced.Value;
        Announced.Value = function;
        return new Scope(outer);
    }

    public static bool Take(KernelFunction function)
    {
        if (Announced.Value is not { } announced)
        {
            return false;
        }

        Announced.Value = null; // flows only into this invocation's own callees
        return ReferenceEquals(announced, function);
    }

    public readonly struct Scope(KernelFunction? outer) : IDisposable
    {
        public void Dispose() => Announced.Value = outer;
    }
}

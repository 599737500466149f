using System.Runtime.CompilerServices;

namespace AgentQuotas.Benchmarks.Hot;

/// <summary>
/// Tools as a developer writes them; the generator intercepts every call to the annotated methods in
/// this project. Each has an unannotated twin with the same body, called for the "unguarded" figure.
/// Nothing here allocates, so every byte measured comes from the guard or the limiter.
/// </summary>
[QuotaCategory("search")]
public sealed class HotTools
{
    private static readonly Task<string> Cached = Task.FromResult("cached answer");

    [Cost(1)]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Add(int a, int b) => a + b;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public int AddPlain(int a, int b) => a + b;

    [Cost(1)]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask<int> CountAsync(int x) => new(x + 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask<int> CountPlainAsync(int x) => new(x + 1);

    [Cost(1)]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public Task<string> CachedAsync() => Cached;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public Task<string> CachedPlainAsync() => Cached;
}

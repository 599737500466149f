using System.ComponentModel;

namespace AgentQuotas.Tools;

/// <summary>
/// Marks the tool call a framework guard (<see cref="GuardedToolInvoker"/>) admitted while that call runs, so the same
/// invocation is not admitted and charged a second time by a guard inside it: a framework function whose delegate calls
/// the annotated method (an intercepted call), or a guarded AIFunction wrapped again. Only the first guard reached inside
/// the call is compared with the mark, and the mark is used up by it either way: if it guards the same tool (same name
/// and category) in the same run, it runs the call without acquiring again; any other tool, and every guard after the
/// first, acquires as usual. So a different tool called from inside a tool, or the same tool called again, is always
/// charged. Generated code calls <see cref="TryPassThrough(QuotaTool)"/>; the mark lives in the async flow of the admitted call.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class AdmittedToolCall
{
    private static readonly AsyncLocal<Mark?> Current = new();

    /// <summary>
    /// Whether the guard of <paramref name="tool"/> about to run is the first one inside a call a framework guard already
    /// admitted for this tool in the current run: then the caller runs the call without acquiring. Uses the mark up.
    /// </summary>
    /// <param name="tool">The tool the guard is for.</param>
    /// <returns><see langword="true"/> to run the call without acquiring (it was admitted and is charged once, outside).</returns>
    public static bool TryPassThrough(QuotaTool tool) => TryPassThrough(tool, out _);

    internal static bool TryPassThrough(QuotaTool tool, out QuotaDecision admitted)
    {
        admitted = default;
        Mark? mark = Current.Value;
        if (mark is null || Interlocked.Exchange(ref mark.Used, 1) != 0)
        {
            return false; // the common case: one AsyncLocal read
        }

        if (!ReferenceEquals(mark.Run, AgentRun.Current) || !SameTool(mark.Tool, tool))
        {
            return false;
        }

        admitted = mark.Decision;
        return true;
    }

    /// <summary>Marks the rest of the calling async flow as running the call <paramref name="decision"/> admitted; dispose to unmark.</summary>
    internal static Scope Enter(AgentRun run, QuotaTool tool, in QuotaDecision decision)
    {
        Mark? previous = Current.Value;
        Current.Value = new Mark(run, tool, decision);
        return new Scope(previous);
    }

    private static bool SameTool(QuotaTool a, QuotaTool b) =>
        ReferenceEquals(a, b) || (string.Equals(a.Name, b.Name, StringComparison.Ordinal) && string.Equals(a.Category, b.Category, StringComparison.Ordinal));

    /// <summary>Restores the mark that was in force before <see cref="Enter"/>.</summary>
    internal readonly struct Scope(Mark? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }

    internal sealed class Mark(AgentRun run, QuotaTool tool, QuotaDecision decision)
    {
        public readonly AgentRun Run = run;
        public readonly QuotaTool Tool = tool;
        public readonly QuotaDecision Decision = decision;
        public int Used;
    }
}

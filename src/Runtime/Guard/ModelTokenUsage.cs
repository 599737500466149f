using System.ComponentModel;
using System.Runtime.InteropServices;

namespace AgentQuotas.Guard;

/// <summary>
/// The tokens one model call reported, as generated code reads them from a framework's response
/// (<c>UsageDetails</c> of Microsoft.Extensions.AI, Semantic Kernel metadata, Agent Framework responses).
/// Priced like <c>GuardedChatClient</c> prices them: input and output tokens at their own rates, and a
/// total reported without the split at the input rate.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[StructLayout(LayoutKind.Auto)]
public readonly record struct ModelTokenUsage
{
    private ModelTokenUsage(long inputTokens, long outputTokens, long unsplitTokens)
    {
        InputTokens = inputTokens;
        OutputTokens = outputTokens;
        UnsplitTokens = unsplitTokens;
    }

    /// <summary>Input (prompt) tokens.</summary>
    public long InputTokens { get; }

    /// <summary>Output (completion) tokens.</summary>
    public long OutputTokens { get; }

    /// <summary>Tokens reported only as a total (neither input nor output count was given).</summary>
    public long UnsplitTokens { get; }

    /// <summary>Whether no tokens were reported.</summary>
    public bool IsEmpty => InputTokens == 0 && OutputTokens == 0 && UnsplitTokens == 0;

    /// <summary>Reads one report: the input/output split when either is given, else the total.</summary>
    /// <param name="inputTokens">Input tokens, if reported.</param>
    /// <param name="outputTokens">Output tokens, if reported.</param>
    /// <param name="totalTokens">Total tokens, if reported.</param>
    /// <returns>The usage; negative counts are read as zero.</returns>
    public static ModelTokenUsage From(long? inputTokens, long? outputTokens, long? totalTokens) =>
        inputTokens is null && outputTokens is null
            ? new ModelTokenUsage(0, 0, Math.Max(0, totalTokens ?? 0))
            : new ModelTokenUsage(Math.Max(0, inputTokens ?? 0), Math.Max(0, outputTokens ?? 0), 0);

    /// <summary>Adds two reports (a stream reports usage in pieces).</summary>
    /// <param name="left">One report.</param>
    /// <param name="right">Another report.</param>
    /// <returns>The sum.</returns>
    public static ModelTokenUsage operator +(ModelTokenUsage left, ModelTokenUsage right) =>
        new(left.InputTokens + right.InputTokens, left.OutputTokens + right.OutputTokens, left.UnsplitTokens + right.UnsplitTokens);

    /// <summary>Adds two reports.</summary>
    /// <param name="other">Another report.</param>
    /// <returns>The sum.</returns>
    public ModelTokenUsage Add(ModelTokenUsage other) => this + other;

    /// <summary>The cost of these tokens at the given rates.</summary>
    /// <param name="inputTokenCost">Cost units per input token (and per token of an unsplit total).</param>
    /// <param name="outputTokenCost">Cost units per output token.</param>
    /// <returns>The cost.</returns>
    public double Cost(double inputTokenCost, double outputTokenCost) =>
        ((InputTokens + UnsplitTokens) * inputTokenCost) + (OutputTokens * outputTokenCost);
}

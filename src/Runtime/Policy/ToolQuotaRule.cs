using AgentQuotas.Tools;

namespace AgentQuotas.Policy;

/// <summary>
/// One entry of the policy's <c>tools</c> section: the quota of tools the code does not annotate (an MCP
/// client's tools, a third party's AIFunction), by exact name or by glob pattern (<c>*</c> matches any run
/// of characters, <c>?</c> one character). The pattern <c>"*"</c> is the explicit opt-in for tools nobody
/// described: without a matching entry, such a tool is refused.
/// </summary>
public sealed class ToolQuotaRule
{
    private readonly ToolDescriptor? _exactDescriptor;

    internal ToolQuotaRule(string pattern, string category, double cost, bool isPrivileged, bool requiresApproval)
    {
        Pattern = pattern;
        Category = category;
        Cost = cost;
        IsPrivileged = isPrivileged || requiresApproval;
        RequiresApproval = requiresApproval;
        IsPattern = pattern.AsSpan().IndexOfAny('*', '?') >= 0;
        LiteralLength = pattern.Length - pattern.Count(c => c is '*' or '?');
        if (!IsPattern)
        {
            _exactDescriptor = CreateDescriptor(pattern);
        }
    }

    /// <summary>The tool name or glob pattern, as written in the policy.</summary>
    public string Pattern { get; }

    /// <summary>Whether <see cref="Pattern"/> has wildcards (otherwise it names one tool).</summary>
    public bool IsPattern { get; }

    /// <summary>The category that pays for the tools' calls.</summary>
    public string Category { get; }

    /// <summary>The cost of one call, in the category's units.</summary>
    public double Cost { get; }

    /// <summary>Whether the tools are privileged (true when <see cref="RequiresApproval"/> is).</summary>
    public bool IsPrivileged { get; }

    /// <summary>Whether each call needs approval before it runs.</summary>
    public bool RequiresApproval { get; }

    /// <summary>Characters that are not wildcards: the more, the more specific the pattern.</summary>
    internal int LiteralLength { get; }

    /// <summary>Whether the entry covers <paramref name="toolName"/> (ordinal, case-sensitive).</summary>
    /// <param name="toolName">The tool name.</param>
    public bool Matches(string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return IsPattern ? GlobMatches(Pattern, toolName) : string.Equals(Pattern, toolName, StringComparison.Ordinal);
    }

    /// <summary>The descriptor a guarded call of <paramref name="toolName"/> runs with under this entry.</summary>
    /// <param name="toolName">The tool name the framework used (recorded in audit and telemetry).</param>
    public ToolDescriptor DescriptorFor(string toolName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(toolName);
        return _exactDescriptor is not null && string.Equals(toolName, Pattern, StringComparison.Ordinal) ? _exactDescriptor : CreateDescriptor(toolName);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Pattern} -> {Category}, cost {Cost}{(RequiresApproval ? ", requires approval" : IsPrivileged ? ", privileged" : string.Empty)}";

    private ToolDescriptor CreateDescriptor(string toolName) =>
        new(toolName, Category, Cost, IsPrivileged, RequiresApproval) { Source = ToolSource.Policy, PolicyRule = this };

    // Iterative glob match with one backtrack point: linear in practice, no recursion.
    private static bool GlobMatches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}

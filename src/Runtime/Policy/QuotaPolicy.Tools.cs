using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using AgentQuotas.Policy.Schema;

namespace AgentQuotas.Policy;

// The policy's "tools" section: quotas for tools the code does not annotate.
public sealed partial class QuotaPolicy
{
    private ToolQuotaRule[] _toolRules = [];
    private FrozenDictionary<string, ToolQuotaRule> _exactTools = FrozenDictionary<string, ToolQuotaRule>.Empty;
    private ToolQuotaRule[] _toolPatterns = []; // most specific first

    /// <summary>The <c>tools</c> entries, exact names first, then patterns from the most specific.</summary>
    public IReadOnlyList<ToolQuotaRule> Tools => _toolRules;

    /// <summary>
    /// Finds the <c>tools</c> entry that governs <paramref name="toolName"/>: the entry of that exact name, else the
    /// matching pattern with the most non-wildcard characters (ties: the ordinally smaller pattern), so
    /// <c>"*"</c> is the last resort.
    /// </summary>
    /// <param name="toolName">The tool name a framework or a model used.</param>
    /// <param name="rule">The entry, when one matches.</param>
    /// <returns><see langword="false"/> when no entry covers the tool: it is unknown to the policy.</returns>
    public bool TryMatchTool(string toolName, [NotNullWhen(true)] out ToolQuotaRule? rule)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        if (_exactTools.TryGetValue(toolName, out rule))
        {
            return true;
        }

        foreach (ToolQuotaRule pattern in _toolPatterns)
        {
            if (pattern.Matches(toolName))
            {
                rule = pattern;
                return true;
            }
        }

        rule = null;
        return false;
    }

    private void SetTools(List<ToolRuleModel> tools)
    {
        if (tools.Count == 0)
        {
            return;
        }

        ToolQuotaRule[] rules = tools
            .Select(t => new ToolQuotaRule(t.Pattern, t.Category, t.Cost, t.Privileged, t.RequiresApproval))
            .ToArray();
        _exactTools = rules.Where(r => !r.IsPattern).ToFrozenDictionary(r => r.Pattern, StringComparer.Ordinal);
        _toolPatterns = rules.Where(r => r.IsPattern)
            .OrderByDescending(r => r.LiteralLength)
            .ThenBy(r => r.Pattern, StringComparer.Ordinal)
            .ToArray();
        _toolRules = [.. _exactTools.Values.OrderBy(r => r.Pattern, StringComparer.Ordinal), .. _toolPatterns];
    }
}

// Shared between the runtime (AgentQuotas) and the analyzers (netstandard2.0): the policy's "tools" section,
// which gives a quota to tools the code does not annotate (an MCP client's tools, a third party's AIFunction).
// Kept apart from PolicySchemaValidator.cs so the rest of the schema can change without touching it.
using System;
using System.Collections.Generic;
using System.Linq;

namespace AgentQuotas.Policy.Schema
{
    /// <summary>One entry of the policy's <c>tools</c> section: a tool name or a glob pattern and its quota.</summary>
    internal sealed class ToolRuleModel
    {
        public string Pattern = "";
        public string Category = "";
        public double Cost;
        public bool Privileged;
        public bool RequiresApproval;
    }

    internal sealed partial class PolicySchemaValidator
    {
        /// <summary>Longest tool name or pattern a <c>tools</c> entry may have (MCP and OpenAI names stay well below).</summary>
        internal const int MaxToolPatternLength = 128;

        private void ValidateTools(PolicyJsonNode tools)
        {
            const string path = "$.tools";
            if (!ExpectObject(tools, path))
            {
                return;
            }

            IEnumerable<string> budgeted = _model.Tiers.SelectMany(t => t.Categories.Select(c => c.Name)).Distinct(StringComparer.Ordinal).ToList();
            foreach (PolicyJsonProperty property in UniqueMembers(tools, path, "tool"))
            {
                string toolPath = PathOf(path, property.Name);
                string? problem = ToolPatternProblem(property.Name);
                if (problem != null)
                {
                    Report(PolicyErrorKind.InvalidValue, problem, toolPath, property.Line, property.Column);
                }

                if (!ExpectObject(property.Value, toolPath))
                {
                    continue;
                }

                string what = "tool '" + property.Name + "'";
                var rule = new ToolRuleModel { Pattern = property.Name };
                Dictionary<string, PolicyJsonProperty> fields = Fields(property.Value, toolPath, what, PolicyFields.Tool.All);
                if (Require(fields, property.Value, toolPath, PolicyFields.Tool.Category, what, out PolicyJsonNode? categoryNode))
                {
                    string? category = ReadString(categoryNode!, toolPath + ".category");
                    if (category != null)
                    {
                        rule.Category = category;
                        if (_model.Tiers.Count > 0 && !_model.Tiers.Any(t => t.FindCategory(category) != null))
                        {
                            Report(PolicyErrorKind.UnknownReference,
                                "no tier budgets category '" + category + "'" + Suggest(category, budgeted) + KnownList("categories", budgeted),
                                toolPath + ".category", categoryNode!);
                        }
                    }
                }

                if (Require(fields, property.Value, toolPath, PolicyFields.Tool.Cost, what, out PolicyJsonNode? costNode))
                {
                    rule.Cost = ReadNumber(costNode!, toolPath + ".cost", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity) ?? 0;
                }

                if (fields.TryGetValue(PolicyFields.Tool.Privileged, out PolicyJsonProperty? privileged))
                {
                    rule.Privileged = ReadBoolean(privileged.Value, toolPath + ".privileged") ?? false;
                }

                if (fields.TryGetValue(PolicyFields.Tool.RequiresApproval, out PolicyJsonProperty? approval))
                {
                    rule.RequiresApproval = ReadBoolean(approval.Value, toolPath + ".requiresApproval") ?? false;
                }

                _model.Tools.Add(rule);
            }
        }

        /// <summary>Why <paramref name="pattern"/> cannot name tools, or null when it can.</summary>
        internal static string? ToolPatternProblem(string pattern)
        {
            if (pattern.Trim().Length == 0)
            {
                return "a tool name or pattern must not be empty";
            }

            if (pattern.Length > MaxToolPatternLength)
            {
                return "a tool name or pattern must be at most " + MaxToolPatternLength + " characters, but has " + pattern.Length;
            }

            foreach (char c in pattern)
            {
                bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.' || c == ':' || c == '/' || c == '*' || c == '?';
                if (!allowed)
                {
                    return "'" + pattern + "' is not a tool name or pattern: use letters, digits, '_', '-', '.', ':' and '/', "
                        + "with '*' for any run of characters and '?' for one character (found '" + c + "')";
                }
            }

            return null;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using AgentQuotas.Diagnostics;
using AgentQuotas.Policy.Schema;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AgentQuotas.Analyzers.Configuration
{
    /// <summary>
    /// An agentquotas.json from AdditionalFiles, validated by the runtime's own validator (linked from
    /// src/Shared/Policy), with a way to turn the validator's line and column into a location in the file.
    /// </summary>
    internal sealed class PolicyFile
    {
        // The IDE reuses a SourceText while the file is unchanged, so each text is validated once, not once per
        // analyzer and compilation.
        private static readonly ConditionalWeakTable<SourceText, PolicyValidationResult> Cache = new ConditionalWeakTable<SourceText, PolicyValidationResult>();

        private PolicyFile(AdditionalText file, SourceText text, PolicyValidationResult result)
        {
            File = file;
            Text = text;
            Result = result;
        }

        public AdditionalText File { get; }

        public SourceText Text { get; }

        public PolicyValidationResult Result { get; }

        /// <summary>The validated policy, or null when the file has errors (AQ0008 reports them).</summary>
        public PolicyModel? Model => Result.Model;

        public static bool IsPolicyFile(AdditionalText file) =>
            string.Equals(Path.GetFileName(file.Path), WellKnownNames.PolicyFileName, StringComparison.OrdinalIgnoreCase);

        /// <summary>Every agentquotas.json among the additional files, in path order.</summary>
        public static ImmutableArray<PolicyFile> FindAll(AnalyzerOptions options, CancellationToken cancellationToken)
        {
            ImmutableArray<PolicyFile>.Builder files = ImmutableArray.CreateBuilder<PolicyFile>();
            foreach (AdditionalText file in options.AdditionalFiles.Where(IsPolicyFile).OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                PolicyFile? policy = Load(file, cancellationToken);
                if (policy != null)
                {
                    files.Add(policy);
                }
            }

            return files.ToImmutable();
        }

        /// <summary>The policy the build checks against: the first agentquotas.json by path, or null when there is none.</summary>
        public static PolicyFile? Find(AnalyzerOptions options, CancellationToken cancellationToken)
        {
            ImmutableArray<PolicyFile> files = FindAll(options, cancellationToken);
            return files.IsEmpty ? null : files[0];
        }

        public static PolicyFile? Load(AdditionalText file, CancellationToken cancellationToken)
        {
            SourceText? text = file.GetText(cancellationToken);
            if (text == null)
            {
                return null;
            }

            PolicyValidationResult result = Cache.GetValue(text, t => PolicySchemaValidator.Validate(t.ToString()));
            return new PolicyFile(file, text, result);
        }

        /// <summary>The location of the JSON token that starts at a 1-based line and column of the file.</summary>
        public Location LocationOf(int line, int column)
        {
            if (Text.Lines.Count == 0)
            {
                return Location.Create(File.Path, default, default);
            }

            int lineIndex = Math.Max(0, Math.Min(line - 1, Text.Lines.Count - 1));
            TextLine textLine = Text.Lines[lineIndex];
            int start = Math.Min(textLine.Start + Math.Max(0, column - 1), textLine.End);
            int length = TokenLength(start, textLine.End);
            var span = new TextSpan(start, length);
            return Location.Create(File.Path, span, Text.Lines.GetLinePositionSpan(span));
        }

        private int TokenLength(int start, int lineEnd)
        {
            if (start >= lineEnd)
            {
                return 0;
            }

            char first = Text[start];
            int end = start + 1;
            if (first == '"')
            {
                while (end < lineEnd && Text[end] != '"')
                {
                    end += Text[end] == '\\' ? 2 : 1;
                }

                return Math.Min(end + 1, lineEnd) - start;
            }

            if (first == '{' || first == '[')
            {
                return 1;
            }

            while (end < lineEnd && (char.IsLetterOrDigit(Text[end]) || Text[end] == '.' || Text[end] == '-' || Text[end] == '+' || Text[end] == '_'))
            {
                end++;
            }

            return end - start;
        }

        /// <summary>Every category name budgeted in any tier, in document order, without duplicates.</summary>
        public static IReadOnlyList<string> AllCategories(PolicyModel model)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var names = new List<string>();
            foreach (TierModel tier in model.Tiers)
            {
                foreach (CategoryModel category in tier.Categories)
                {
                    if (seen.Add(category.Name))
                    {
                        names.Add(category.Name);
                    }
                }
            }

            return names;
        }

        /// <summary>
        /// Whether every tier caps a run (maxIterations, maxToolCalls or maxCostPerRun), so that a bare
        /// [AgentLoop] (no caps of its own) still gets a bounded child run.
        /// </summary>
        public static bool EveryTierCapsRuns(PolicyModel model) =>
            model.Tiers.Count > 0 && model.Tiers.All(t => t.MaxIterations.HasValue || t.MaxToolCalls.HasValue || t.MaxCostPerRun.HasValue);
    }
}

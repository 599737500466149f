using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AgentQuotas.Analyzers.CodeFixes
{
    /// <summary>
    /// Fixes AQ0001 (and AQ0004 for a privileged tool without a budget): adds <c>[Cost(1)]</c> and, when the
    /// tool has no category, <c>[QuotaCategory("...")]</c> with a category from agentquotas.json (one action
    /// per category, up to three). The cost of 1 is a starting point the developer is expected to revise.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddCostCodeFixProvider))]
    [Shared]
    public sealed class AddCostCodeFixProvider : CodeFixProvider
    {
        private const string KeyPrefix = "AQ.AddBudget";
        private const string FallbackCategory = "default";
        private const int MaxCategoryChoices = 3;

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.MissingBudget, DiagnosticIds.UnguardedPrivilegedTool);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllAsync);

        /// <inheritdoc/>
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (Diagnostic diagnostic in context.Diagnostics.Where(IsBudgetDiagnostic))
            {
                bool missingCost = Flag(diagnostic, DiagnosticProperties.MissingCost);
                if (!Flag(diagnostic, DiagnosticProperties.MissingCategory))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Add [Cost(1)]", ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), null, ct), KeyPrefix),
                        diagnostic);
                    continue;
                }

                foreach (string category in CategoryChoices(diagnostic).Take(MaxCategoryChoices))
                {
                    string title = (missingCost ? "Add [Cost(1)] and " : "Add ") + "[QuotaCategory(\"" + category + "\")]";
                    context.RegisterCodeFix(
                        CodeAction.Create(title, ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), category, ct), KeyPrefix + "/" + category),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static async Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
        {
            string? key = context.CodeActionEquivalenceKey;
            string? category = key != null && key.StartsWith(KeyPrefix + "/", StringComparison.Ordinal) ? key.Substring(KeyPrefix.Length + 1) : null;
            return await FixAsync(document, diagnostics.Where(IsBudgetDiagnostic).ToImmutableArray(), category, context.CancellationToken).ConfigureAwait(false);
        }

        private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? category, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root == null)
            {
                return document;
            }

            var editor = new SyntaxEditor(root, document.Project.Solution.Services);
            var done = new HashSet<SyntaxNode>();
            foreach (Diagnostic diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                // A method, or a local function handed to a framework as a tool (AIFunctionFactory.Create(GetWeather)).
                SyntaxNode? method = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).AncestorsAndSelf()
                    .FirstOrDefault(n => n is MethodDeclarationSyntax || n is LocalFunctionStatementSyntax);
                if (method == null || !done.Add(method))
                {
                    continue;
                }

                var attributes = new List<AttributeSyntax>();
                if (Flag(diagnostic, DiagnosticProperties.MissingCost))
                {
                    attributes.Add(AttributeEditing.Attribute("Cost", AttributeEditing.Positional(AttributeEditing.Number(1))));
                }

                if (Flag(diagnostic, DiagnosticProperties.MissingCategory))
                {
                    string name = category ?? CategoryChoices(diagnostic).First();
                    attributes.Add(AttributeEditing.Attribute("QuotaCategory", AttributeEditing.Positional(AttributeEditing.String(name))));
                }

                editor.ReplaceNode(method, (current, _) => AttributeEditing.AddAttributes(current, attributes));
            }

            Document changed = document.WithSyntaxRoot(editor.GetChangedRoot());
            return await AttributeEditing.CleanUpAsync(changed, cancellationToken).ConfigureAwait(false);
        }

        private static bool IsBudgetDiagnostic(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(DiagnosticProperties.Kind, out string? kind) && kind == DiagnosticProperties.BudgetKind;

        private static bool Flag(Diagnostic diagnostic, string name) =>
            diagnostic.Properties.TryGetValue(name, out string? value) && value == "true";

        private static IEnumerable<string> CategoryChoices(Diagnostic diagnostic)
        {
            string[] categories = diagnostic.Properties.TryGetValue(DiagnosticProperties.Categories, out string? value) && !string.IsNullOrEmpty(value)
                ? value!.Split(DiagnosticProperties.Separator)
                : Array.Empty<string>();
            return categories.Length > 0 ? categories : new[] { FallbackCategory };
        }
    }
}

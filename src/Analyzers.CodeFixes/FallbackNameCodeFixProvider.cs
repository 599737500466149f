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
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AgentQuotas.Analyzers.CodeFixes
{
    /// <summary>
    /// Fixes AQ0005: points a [Fallback] at a method that fits (same parameters and return type, callable by
    /// generated code, not privileged), written as <c>nameof(...)</c> so a rename keeps it right. Offers the
    /// closest names first, up to three; fix-all uses the closest.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FallbackNameCodeFixProvider))]
    [Shared]
    public sealed class FallbackNameCodeFixProvider : CodeFixProvider
    {
        private const string BestKey = "AQ.FixFallbackName";
        private const int MaxChoices = 3;

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidFallback);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() =>
            FixAllProvider.Create(async (context, document, diagnostics) => (Document?)await FixAsync(document, diagnostics, null, context.CancellationToken).ConfigureAwait(false));

        /// <inheritdoc/>
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                string[] candidates = Candidates(diagnostic);
                for (int i = 0; i < candidates.Length && i < MaxChoices; i++)
                {
                    string name = candidates[i];
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            "Use fallback '" + name + "'",
                            ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), name, ct),
                            i == 0 ? BestKey : BestKey + "/" + name),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? name, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root == null)
            {
                return document;
            }

            var editor = new SyntaxEditor(root, document.Project.Solution.Services);
            foreach (Diagnostic diagnostic in diagnostics)
            {
                string? target = name ?? Candidates(diagnostic).FirstOrDefault();
                if (target == null || !(root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is ExpressionSyntax argument))
                {
                    continue;
                }

                ExpressionSyntax replacement = SyntaxFactory.ParseExpression("nameof(" + target + ")").WithTriviaFrom(argument);
                editor.ReplaceNode(argument, replacement);
            }

            return document.WithSyntaxRoot(editor.GetChangedRoot());
        }

        private static string[] Candidates(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(DiagnosticProperties.FallbackCandidates, out string? value) && !string.IsNullOrEmpty(value)
                ? value!.Split(DiagnosticProperties.Separator)
                : Array.Empty<string>();
    }
}

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
using Microsoft.CodeAnalysis.Formatting;

namespace AgentQuotas.Analyzers.CodeFixes
{
    /// <summary>
    /// Fixes AQ0003: caps the method that contains the unbounded agent loop (or the recursive call) with
    /// <c>[AgentLoop(MaxIterations = 10)]</c>, or sets <c>MaxIterations = 10</c> on an [AgentLoop] that has no cap.
    /// Loops in top-level statements have no method to cap and get no fix.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddAgentLoopCodeFixProvider))]
    [Shared]
    public sealed class AddAgentLoopCodeFixProvider : CodeFixProvider
    {
        private const string EquivalenceKey = "AQ.AddAgentLoop";
        private const int DefaultMaxIterations = 10;

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundedAgentLoop);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() =>
            FixAllProvider.Create(async (context, document, diagnostics) => (Document?)await FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null)
            {
                return;
            }

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                MethodDeclarationSyntax? method = ContainingMethod(root, diagnostic);
                if (method == null)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Cap '" + method.Identifier.ValueText + "' with [AgentLoop(MaxIterations = " + DefaultMaxIterations + ")]",
                        ct => FixAsync(context.Document, ImmutableArray.Create(diagnostic), ct),
                        EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (root == null || model == null)
            {
                return document;
            }

            var editor = new SyntaxEditor(root, document.Project.Solution.Services);
            var done = new HashSet<MethodDeclarationSyntax>();
            foreach (Diagnostic diagnostic in diagnostics)
            {
                MethodDeclarationSyntax? method = ContainingMethod(root, diagnostic);
                if (method == null || !done.Add(method))
                {
                    continue;
                }

                AttributeSyntax? existing = AttributeEditing.Find(method, model, WellKnownNames.AgentLoopAttribute, cancellationToken);
                if (existing != null)
                {
                    editor.ReplaceNode(existing, (current, _) => WithMaxIterations((AttributeSyntax)current));
                }
                else
                {
                    AttributeSyntax attribute = AttributeEditing.Attribute(
                        "AgentLoop",
                        AttributeEditing.Named("MaxIterations", AttributeEditing.Number(DefaultMaxIterations)));
                    editor.ReplaceNode(method, (current, _) => AttributeEditing.AddAttributes(current, new[] { attribute }));
                }
            }

            Document changed = document.WithSyntaxRoot(editor.GetChangedRoot());
            return await AttributeEditing.CleanUpAsync(changed, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Sets MaxIterations on an [AgentLoop] that has none (or has 0, which means none).</summary>
        private static AttributeSyntax WithMaxIterations(AttributeSyntax attribute)
        {
            AttributeArgumentSyntax value = AttributeEditing.Named("MaxIterations", AttributeEditing.Number(DefaultMaxIterations));
            AttributeArgumentListSyntax arguments = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            AttributeArgumentSyntax? current = arguments.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "MaxIterations");
            arguments = current != null
                ? arguments.ReplaceNode(current, value.WithTriviaFrom(current))
                : arguments.AddArguments(value);
            return attribute.WithArgumentList(arguments).WithAdditionalAnnotations(Formatter.Annotation);
        }

        /// <summary>The method declaration around the diagnostic: local functions and lambdas are capped through their method.</summary>
        private static MethodDeclarationSyntax? ContainingMethod(SyntaxNode root, Diagnostic diagnostic) =>
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AgentQuotas.Analyzers.CodeFixes
{
    /// <summary>Adds attributes the way a developer would write them: short names, a using if needed, formatted.</summary>
    internal static class AttributeEditing
    {
        /// <summary>An attribute of the runtime, written fully qualified and annotated so it simplifies to <c>[Name(...)]</c>.</summary>
        public static AttributeSyntax Attribute(string name, params AttributeArgumentSyntax[] arguments)
        {
            NameSyntax qualified = SyntaxFactory.ParseName("AgentQuotas." + name)
                .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
            return arguments.Length == 0
                ? SyntaxFactory.Attribute(qualified)
                : SyntaxFactory.Attribute(qualified, SyntaxFactory.AttributeArgumentList(SyntaxFactory.SeparatedList(arguments)));
        }

        public static AttributeArgumentSyntax Positional(ExpressionSyntax value) => SyntaxFactory.AttributeArgument(value);

        public static AttributeArgumentSyntax Named(string name, ExpressionSyntax value) =>
            SyntaxFactory.AttributeArgument(SyntaxFactory.NameEquals(name), null, value);

        public static ExpressionSyntax Number(int value) =>
            SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value));

        public static ExpressionSyntax String(string value) =>
            SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(value));

        /// <summary>Adds each attribute as its own list above the declaration, keeping its comments and indentation.</summary>
        public static SyntaxNode AddAttributes(SyntaxNode declaration, IEnumerable<AttributeSyntax> attributes)
        {
            SyntaxTriviaList leading = declaration.GetLeadingTrivia();
            List<AttributeListSyntax> lists = attributes.Select(a =>
                SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(a)).WithAdditionalAnnotations(Formatter.Annotation)).ToList();
            if (declaration is LocalFunctionStatementSyntax local)
            {
                return local.AttributeLists.Count > 0
                    ? local.WithAttributeLists(local.AttributeLists.AddRange(lists))
                    : local.WithoutLeadingTrivia().WithAttributeLists(SyntaxFactory.List(lists)).WithLeadingTrivia(leading);
            }

            var member = (MemberDeclarationSyntax)declaration;
            if (member.AttributeLists.Count > 0)
            {
                // Below the existing attributes, so doc comments and the first attribute stay where they are.
                return member.WithAttributeLists(member.AttributeLists.AddRange(lists));
            }

            MemberDeclarationSyntax bare = member.WithoutLeadingTrivia();
            return bare.WithAttributeLists(SyntaxFactory.List(lists)).WithLeadingTrivia(leading);
        }

        /// <summary>Adds the usings the annotated names need, shortens them, and formats what was added.</summary>
        public static async Task<Document> CleanUpAsync(Document document, CancellationToken cancellationToken)
        {
            document = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
            document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await Formatter.FormatAsync(document, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The attribute of the given runtime type on a declaration, if any.</summary>
        public static AttributeSyntax? Find(MemberDeclarationSyntax declaration, SemanticModel model, string metadataName, CancellationToken cancellationToken)
        {
            foreach (AttributeSyntax attribute in declaration.AttributeLists.SelectMany(l => l.Attributes))
            {
                if (model.GetSymbolInfo(attribute, cancellationToken).Symbol is IMethodSymbol constructor
                    && constructor.ContainingType.ToDisplayString() == metadataName)
                {
                    return attribute;
                }
            }

            return null;
        }
    }
}

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AgentQuotas.Diagnostics;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Generators
{
    // Declarations with attributes: one step reads every attribute the generator cares about on a declaration
    // (what ForAttributeWithMetadataName did once per attribute name), so that the SemanticCache can skip the
    // declaration's binding entirely while its file and the project's declarations are unchanged.
    public sealed partial class GuardGenerator
    {
        internal static partial class Parser
        {
            /// <summary>Cheap syntax filter: a method-like declaration (or lambda) with at least one attribute list.</summary>
            public static bool IsAttributedMember(SyntaxNode node, CancellationToken _) => node switch
            {
                BaseMethodDeclarationSyntax m => m.AttributeLists.Count > 0,
                AccessorDeclarationSyntax a => a.AttributeLists.Count > 0,
                LocalFunctionStatementSyntax l => l.AttributeLists.Count > 0,
                LambdaExpressionSyntax l => l.AttributeLists.Count > 0,
                _ => false,
            };

            /// <summary>
            /// Reads the declaration's own attributes (those written on this node, as ForAttributeWithMetadataName
            /// matches them) and parses what each kind asks for; null when it has none of ours.
            /// </summary>
            public static AnnotatedMemberModel? ParseAnnotatedMember(GeneratorSyntaxContext context, CancellationToken ct)
            {
                SyntaxNode node = context.Node;
                SemanticModel model = context.SemanticModel;
                ISymbol? symbol = node is LambdaExpressionSyntax ? model.GetSymbolInfo(node, ct).Symbol : model.GetDeclaredSymbol(node, ct);
                if (symbol is null)
                {
                    return null;
                }

                ImmutableArray<AttributeData> own = symbol.GetAttributes()
                    .Where(a => a.ApplicationSyntaxReference is { } r && r.SyntaxTree == node.SyntaxTree && node.Span.Contains(r.Span))
                    .ToImmutableArray();
                if (own.IsEmpty)
                {
                    return null;
                }

                ImmutableArray<AttributeData> Of(string metadataName) => own.Where(a => IsNamed(a.AttributeClass, metadataName)).ToImmutableArray();

                ImmutableArray<AttributeData> agentTool = Of(WellKnownNames.AgentToolAttribute);
                ImmutableArray<AttributeData> loop = Of(WellKnownNames.AgentLoopAttribute);
                ImmutableArray<AttributeData> cost = Of(WellKnownNames.CostAttribute);
                ImmutableArray<AttributeData> privileged = Of(WellKnownNames.PrivilegedAttribute);
                ImmutableArray<AttributeData> category = Of(WellKnownNames.QuotaCategoryAttribute);
                ImmutableArray<AttributeData> kernel = Of(KernelFunctionAttribute);
                ImmutableArray<AttributeData> mcp = Of(McpServerToolAttribute);
                bool isMethod = node is MethodDeclarationSyntax;

                AIToolModel? tool = isMethod && !agentTool.IsEmpty ? ParseAgentTool(new AttributeTarget(node, symbol, model, agentTool), ct) : null;
                var framework = new List<AIToolModel>();
                foreach (ImmutableArray<AttributeData> attributes in new[] { kernel, mcp })
                {
                    if (isMethod && !attributes.IsEmpty && ParseFrameworkTool(new AttributeTarget(node, symbol, model, attributes), ct) is AIToolModel parsed)
                    {
                        framework.Add(parsed);
                    }
                }

                ImmutableArray<AttributeData> first = !cost.IsEmpty ? cost : !category.IsEmpty ? category : !privileged.IsEmpty ? privileged : !agentTool.IsEmpty ? agentTool : loop;
                EquatableArray<DiagnosticInfo> declarations = first.IsEmpty ? EquatableArray<DiagnosticInfo>.Empty : ParseDeclaration(new AttributeTarget(node, symbol, model, first), ct);
                LoopBodyModel? loopBody = isMethod && !loop.IsEmpty ? ParseLoopBody(new AttributeTarget(node, symbol, model, loop), ct) : null;
                ImmutableArray<AttributeData> registered = !cost.IsEmpty ? cost : !agentTool.IsEmpty ? agentTool : privileged;
                RegistryEntryModel? registry = isMethod && !registered.IsEmpty ? RegistryParser.Parse(new AttributeTarget(node, symbol, model, registered), ct) : null;

                return tool is null && framework.Count == 0 && declarations.Count == 0 && loopBody is null && registry is null
                    ? null
                    : new AnnotatedMemberModel(tool, framework.ToEquatableArray(), declarations, loopBody, registry);
            }

            // Whether the attribute's class has this metadata name (namespace-qualified, as FAWMN matches it).
            private static bool IsNamed(INamedTypeSymbol? type, string metadataName)
            {
                if (type is null || type.ContainingType is not null)
                {
                    return false;
                }

                int dot = metadataName.LastIndexOf('.');
                return type.MetadataName == metadataName.Substring(dot + 1)
                    && type.ContainingNamespace?.ToDisplayString() == metadataName.Substring(0, dot);
            }
        }
    }
}

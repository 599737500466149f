using System.Collections.Generic;
using System.Runtime.CompilerServices;
using AgentQuotas.Diagnostics;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Generators.Helpers
{
    /// <summary>
    /// The names a guarded or loop method can have in a compilation, so that the call-site transform binds
    /// only the invocations that could call one.
    /// </summary>
    /// <remarks>
    /// <c>GetSymbolInfo</c> on an invocation binds (and runs nullability analysis on) its whole method body, so
    /// asking it of every invocation re-binds nearly the whole project: on a realistic project of 5,000 lines
    /// with 200 call sites among several thousand ordinary invocations that was most of the generator's time.
    /// A call can only be guarded if the method it calls, or one it overrides or implements, carries one of the
    /// runtime's attributes (<see cref="ToolAnnotations.AnyOnChain"/>); all of those have the invoked method's
    /// name. So an invocation whose name is not the name of an attributed method (a method or local function
    /// with an attribute list in source, or a method with a runtime attribute in a referenced assembly that can
    /// see the attributes: one that defines them, forwards them or references such an assembly) cannot be a call
    /// site, and is skipped without binding. The set is a superset
    /// (any attribute in source counts), never a subset.
    /// </remarks>
    internal static class GuardedNames
    {
        private static readonly ConditionalWeakTable<Compilation, HashSet<string>> ByCompilation = new();
        private static readonly ConditionalWeakTable<SyntaxTree, string[]> ByTree = new();
        private static readonly ConditionalWeakTable<IAssemblySymbol, string[]> ByAssembly = new();

        private static readonly string[] AttributeNames =
        {
            WellKnownNames.CostAttribute, WellKnownNames.QuotaCategoryAttribute, WellKnownNames.PrivilegedAttribute,
            WellKnownNames.AgentToolAttribute, WellKnownNames.AgentLoopAttribute,
        };

        /// <summary>Whether an invocation of a method named <paramref name="name"/> could call a guarded or loop method.</summary>
        public static bool MayBeGuarded(Compilation compilation, string name) =>
            ByCompilation.GetValue(compilation, static c => Compute(c)).Contains(name);

        private static HashSet<string> Compute(Compilation compilation)
        {
            var names = new HashSet<string>(System.StringComparer.Ordinal);
            ToolAttributes attributes = ToolAttributes.For(compilation);
            if (!attributes.HasRuntime)
            {
                return names;
            }

            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                names.UnionWith(ByTree.GetValue(tree, static t => InSource(t)));
            }

            var defining = new HashSet<IAssemblySymbol>(SymbolEqualityComparer.Default);
            foreach (INamedTypeSymbol? type in new[] { attributes.Cost, attributes.QuotaCategory, attributes.Privileged, attributes.AgentTool, attributes.AgentLoop })
            {
                if (type?.ContainingAssembly is IAssemblySymbol assembly)
                {
                    defining.Add(assembly);
                }
            }

            // A facade that forwards an attribute type counts as defining it: what was compiled against the facade references it.
            var forwarding = new List<IAssemblySymbol>();
            foreach (IAssemblySymbol assembly in compilation.SourceModule.ReferencedAssemblySymbols)
            {
                foreach (string metadataName in AttributeNames)
                {
                    if (!defining.Contains(assembly) && assembly.ResolveForwardedType(metadataName)?.ContainingAssembly is IAssemblySymbol target && defining.Contains(target))
                    {
                        forwarding.Add(assembly);
                        break;
                    }
                }
            }

            defining.UnionWith(forwarding);
            foreach (IAssemblySymbol assembly in compilation.SourceModule.ReferencedAssemblySymbols)
            {
                if (SeesAttributes(assembly, defining))
                {
                    names.UnionWith(ByAssembly.GetValue(assembly, a => InReference(a, attributes)));
                }
            }

            return names;
        }

        // Methods and local functions written with any attribute list (a superset of the annotated ones).
        private static string[] InSource(SyntaxTree tree)
        {
            var names = new List<string>();
            foreach (SyntaxNode node in tree.GetRoot().DescendantNodes())
            {
                if (node is MethodDeclarationSyntax { AttributeLists.Count: > 0 } method)
                {
                    names.Add(method.Identifier.ValueText);
                }
                else if (node is LocalFunctionStatementSyntax { AttributeLists.Count: > 0 } local)
                {
                    names.Add(local.Identifier.ValueText);
                }
            }

            return names.ToArray();
        }

        // An assembly can carry the runtime's attributes only if it defines them or references an assembly that does.
        private static bool SeesAttributes(IAssemblySymbol assembly, HashSet<IAssemblySymbol> defining)
        {
            if (defining.Contains(assembly))
            {
                return true;
            }

            foreach (IModuleSymbol module in assembly.Modules)
            {
                foreach (IAssemblySymbol referenced in module.ReferencedAssemblySymbols)
                {
                    if (defining.Contains(referenced))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static string[] InReference(IAssemblySymbol assembly, ToolAttributes attributes)
        {
            var names = new HashSet<string>(System.StringComparer.Ordinal);
            var pending = new Stack<INamespaceOrTypeSymbol>();
            pending.Push(assembly.GlobalNamespace);
            while (pending.Count > 0)
            {
                foreach (ISymbol member in pending.Pop().GetMembers())
                {
                    if (member is INamespaceOrTypeSymbol container)
                    {
                        pending.Push(container);
                    }
                    else if (member is IMethodSymbol method && !names.Contains(method.Name))
                    {
                        foreach (AttributeData attribute in method.GetAttributes())
                        {
                            if (attributes.IsRuntimeAttribute(attribute))
                            {
                                names.Add(method.Name);
                                break;
                            }
                        }
                    }
                }
            }

            var result = new string[names.Count];
            names.CopyTo(result);
            return result;
        }
    }
}

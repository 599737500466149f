using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AgentQuotas.Analyzers.AgentCalls;
using AgentQuotas.Analyzers.AgentLoops;
using AgentQuotas.Analyzers.Tools;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.ToolReferences
{
    /// <summary>
    /// Which guarded tools a dynamically bound call could run. A call with a <c>dynamic</c> receiver binds by
    /// name to whatever the receiver is at run time: any guarded method of that name in the compilation,
    /// unless the receiver's value is traced (through conversions and locals) to static types none of which
    /// could be the tool's type. A call on a static receiver (or a static call) with <c>dynamic</c> arguments
    /// binds among that type's methods of the name.
    /// </summary>
    internal sealed class DynamicCalls
    {
        private const int MaxTraceDepth = 4;

        private readonly AgentSymbols _symbols;
        private readonly ConcurrentDictionary<string, ImmutableArray<IMethodSymbol>> _guardedByName = new ConcurrentDictionary<string, ImmutableArray<IMethodSymbol>>(System.StringComparer.Ordinal);

        public DynamicCalls(AgentSymbols symbols)
        {
            _symbols = symbols;
        }

        public IEnumerable<IMethodSymbol> CandidatesOf(IDynamicInvocationOperation invocation)
        {
            if (!(invocation.Operation is IDynamicMemberReferenceOperation member))
            {
                return Enumerable.Empty<IMethodSymbol>();
            }

            ImmutableArray<IMethodSymbol> named = GuardedNamed(member.MemberName);
            if (named.IsEmpty)
            {
                return named;
            }

            IOperation? receiver = member.Instance;
            if (receiver == null)
            {
                // Type.Method(dynamicArgument): the static type is known.
                return member.ContainingType == null ? named : named.Where(m => CouldBe(member.ContainingType, m.ContainingType));
            }

            List<ITypeSymbol>? types = StaticTypesOf(receiver, 0);
            return types == null ? named : named.Where(m => types.Any(t => CouldBe(t, m.ContainingType)));
        }

        /// <summary>Guarded methods of this compilation with the name, found through the compiler's declaration index.</summary>
        private ImmutableArray<IMethodSymbol> GuardedNamed(string name) =>
            _guardedByName.GetOrAdd(name, n => _symbols.Compilation.GetSymbolsWithName(n, SymbolFilter.Member)
                .OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary && _symbols.IsGuardedTool(m))
                .ToImmutableArray());

        /// <summary>The static types the value can come from, or null when it could be anything (a dynamic or object value of unknown origin).</summary>
        private static List<ITypeSymbol>? StaticTypesOf(IOperation operation, int depth)
        {
            IOperation value = LoopBounds.Unwrap(operation);
            ITypeSymbol? type = value.Type;
            if (type != null && type.TypeKind != TypeKind.Dynamic && type.SpecialType != SpecialType.System_Object)
            {
                return new List<ITypeSymbol> { type };
            }

            if (value is ILocalReferenceOperation local && depth < MaxTraceDepth)
            {
                IOperation root = value;
                while (root.Parent != null)
                {
                    root = root.Parent;
                }

                List<IOperation> sources = LocalWrites.SourcesOf(local.Local, root, out bool complete);
                if (!complete || sources.Count == 0)
                {
                    return null;
                }

                var types = new List<ITypeSymbol>();
                foreach (IOperation source in sources)
                {
                    List<ITypeSymbol>? inner = StaticTypesOf(source, depth + 1);
                    if (inner == null)
                    {
                        return null;
                    }

                    types.AddRange(inner);
                }

                return types;
            }

            return null;
        }

        /// <summary>Whether a value of static type <paramref name="type"/> could at run time be an instance of the tool's type (or one deriving from it).</summary>
        private static bool CouldBe(ITypeSymbol type, INamedTypeSymbol toolType) =>
            (type is INamedTypeSymbol named && ModelApis.IsOrDerivesFrom(toolType, named, 0))
            || ModelApis.IsOrDerivesFrom(type, toolType, 0);
    }
}

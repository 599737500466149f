// Shared by the analyzers and the generator (netstandard2.0).
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>
    /// The AgentQuotas attributes that apply to one method: its own, and those of the members it overrides or
    /// implements (a base-class virtual or abstract member, an interface member). A call through an annotated
    /// interface or base member is guarded with that member's annotations; a call on the implementing or
    /// overriding member with its own, completed by the inherited ones. Two members that say different things
    /// about the same call are a conflict (the generator reports AQ1004). One reading for the generator (what
    /// it guards and how) and the analyzers (what they check), so the two cannot disagree about a method.
    /// </summary>
    internal sealed class ToolAnnotations
    {
        private ToolAnnotations(IMethodSymbol method)
        {
            Method = method;
        }

        /// <summary>The method described (its declaration: unreduced, unconstructed, the defining part of a partial method).</summary>
        public IMethodSymbol Method { get; }

        public FoundAttribute? Cost { get; private set; }

        /// <summary>The method-level [QuotaCategory], or the class-level one of the member that declares the tool.</summary>
        public FoundAttribute? Category { get; private set; }

        public FoundAttribute? AgentTool { get; private set; }

        public FoundAttribute? Fallback { get; private set; }

        public FoundAttribute? Loop { get; private set; }

        public FoundAttribute? KernelFunction { get; private set; }

        public FoundAttribute? McpServerTool { get; private set; }

        /// <summary>[Privileged] on the method or any member it overrides or implements.</summary>
        public bool IsPrivileged { get; private set; }

        /// <summary>[Privileged(RequiresApproval = true)] on the method or any member it overrides or implements.</summary>
        public bool RequiresApproval { get; private set; }

        /// <summary>What the method and the members it inherits from disagree on (empty when nothing).</summary>
        public List<string> Conflicts { get; } = new List<string>();

        /// <summary>Whether calls to the method are guarded: it (or a member it inherits from) carries [Cost], [QuotaCategory], [Privileged] or [AgentTool].</summary>
        public bool IsGuarded => Cost != null || IsPrivileged || AgentTool != null || HasMethodCategory;

        /// <summary>Whether it (or a member it inherits from) carries [AgentLoop].</summary>
        public bool IsLoop => Loop != null;

        /// <summary>Whether the method itself carries [Cost], [QuotaCategory], [Privileged] or [AgentTool] (where its budget is reported).</summary>
        public bool DeclaresTool { get; private set; }

        /// <summary>The category name ([QuotaCategory]'s argument), or null when there is none; empty when the attribute names none.</summary>
        public string? CategoryName => Category == null ? null : ToolAttributes.FirstString(Category.Attribute) ?? string.Empty;

        /// <summary>The name [Fallback] gives, or null when there is no [Fallback].</summary>
        public string? FallbackName => Fallback == null ? null : ToolAttributes.FirstString(Fallback.Attribute) ?? string.Empty;

        /// <summary>The names [Fallback] gives, in the order they are tried (an ordered chain), or null when there is no [Fallback].</summary>
        public List<string>? FallbackNames => Fallback == null ? null : ToolAttributes.FallbackNames(Fallback.Attribute);

        private bool HasMethodCategory { get; set; }

        /// <summary>The declaration a call or reference resolves to: unreduced, unconstructed, the defining part of a partial method.</summary>
        public static IMethodSymbol Declaration(IMethodSymbol method)
        {
            IMethodSymbol result = (method.ReducedFrom ?? method).OriginalDefinition;
            return result.PartialDefinitionPart ?? result;
        }

        /// <summary>"Type.Method", as messages and audit name a method.</summary>
        public static string DisplayName(IMethodSymbol method) =>
            method.ContainingType == null || method.MethodKind == MethodKind.LocalFunction ? method.Name : method.ContainingType.Name + "." + method.Name;

        /// <summary>Cheap test: does the method or a member it inherits from carry one of the runtime's method attributes (other than [Fallback])?</summary>
        public static bool AnyOnChain(IMethodSymbol method, ToolAttributes attributes)
        {
            foreach (IMethodSymbol member in InheritedFrom(Declaration(method), attributes))
            {
                foreach (AttributeData a in member.GetAttributes())
                {
                    if (attributes.IsRuntimeAttribute(a) && attributes.KindOf(a) != ToolAttributeKind.Fallback)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>Reads the annotations of a declaration; use <see cref="ToolAttributes.AnnotationsOf"/>, which caches them.</summary>
        internal static ToolAnnotations Read(IMethodSymbol method, ToolAttributes attributes)
        {
            var result = new ToolAnnotations(method);
            List<IMethodSymbol> chain = InheritedFrom(method, attributes);
            var declared = new List<Declared>(chain.Count);
            foreach (IMethodSymbol member in chain)
            {
                if (Declared.Read(member, attributes) is Declared d)
                {
                    declared.Add(d);
                }
            }

            result.DeclaresTool = declared.Count > 0 && SymbolEqualityComparer.Default.Equals(declared[0].Member, method) && declared[0].DeclaresTool;
            result.Merge(declared);
            return result;
        }

        // The method first, then what it overrides (nearest first), then the interface members it (or an
        // overridden member) implements, in declaration order.
        private static List<IMethodSymbol> InheritedFrom(IMethodSymbol method, ToolAttributes attributes)
        {
            var chain = new List<IMethodSymbol>();
            for (IMethodSymbol? m = method; m != null; m = m.OverriddenMethod)
            {
                chain.Add(m.OriginalDefinition);
            }

            int classMembers = chain.Count;
            for (int i = 0; i < classMembers; i++)
            {
                foreach (IMethodSymbol implemented in ImplementedInterfaceMembers(chain[i], attributes))
                {
                    if (!chain.Contains(implemented, SymbolEqualityComparer.Default))
                    {
                        chain.Add(implemented);
                    }
                }
            }

            return chain;
        }

        private static IEnumerable<IMethodSymbol> ImplementedInterfaceMembers(IMethodSymbol method, ToolAttributes attributes)
        {
            foreach (IMethodSymbol explicitImplementation in method.ExplicitInterfaceImplementations)
            {
                yield return explicitImplementation.OriginalDefinition;
            }

            INamedTypeSymbol type = method.ContainingType;
            if (method.IsStatic || type == null || type.TypeKind == TypeKind.Interface || method.MethodKind != MethodKind.Ordinary)
            {
                yield break;
            }

            foreach (INamedTypeSymbol implemented in type.AllInterfaces)
            {
                foreach (IMethodSymbol candidate in implemented.GetMembers(method.Name).OfType<IMethodSymbol>())
                {
                    // Only annotated interface members matter; the attribute test is cheap, the lookup is not.
                    if (!candidate.GetAttributes().Any(attributes.IsRuntimeAttribute))
                    {
                        continue;
                    }

                    if (type.FindImplementationForInterfaceMember(candidate) is IMethodSymbol implementation
                        && SymbolEqualityComparer.Default.Equals(implementation.OriginalDefinition, method.OriginalDefinition))
                    {
                        yield return candidate.OriginalDefinition;
                    }
                }
            }
        }

        private void Merge(List<Declared> declared)
        {
            Cost = Pick(declared, d => d.Cost, DescribeCost, "cost");
            // A category on a method beats the class-level defaults; class-level defaults of different
            // types do not conflict (the nearest one applies).
            HasMethodCategory = declared.Any(d => d.Category is { FromType: false });
            Category = HasMethodCategory
                ? Pick(declared, d => d.Category is { FromType: false } c ? c : null, f => "category '" + (f.Attribute.ConstructorArguments.FirstOrDefault().Value as string) + "'", "quota category")
                : declared.Select(d => d.Category).FirstOrDefault(c => c != null);
            AgentTool = Pick(declared, d => d.AgentTool, f => "[AgentTool(\"" + (f.Attribute.ConstructorArguments.FirstOrDefault().Value as string) + "\")]", "tool name");
            Fallback = Pick(declared, d => d.Fallback, f => "fallback '" + string.Join("', '", ToolAttributes.FallbackNames(f.Attribute)) + "'", "fallback");
            Loop = Pick(declared, d => d.Loop, DescribeLoop, "[AgentLoop] caps");
            KernelFunction = declared.Select(d => d.KernelFunction).FirstOrDefault(f => f != null);
            McpServerTool = declared.Select(d => d.McpServerTool).FirstOrDefault(f => f != null);

            // Privilege is never weakened by an override or an implementation: the strictest applies.
            foreach (Declared d in declared)
            {
                if (d.Privileged is FoundAttribute p)
                {
                    IsPrivileged = true;
                    RequiresApproval |= ToolAttributes.Named<bool>(p.Attribute, "RequiresApproval");
                }
            }

            if (declared.Count > 0 && declared[0].Privileged is FoundAttribute own && !ToolAttributes.Named<bool>(own.Attribute, "RequiresApproval") && RequiresApproval
                && SymbolEqualityComparer.Default.Equals(declared[0].Member, Method.OriginalDefinition))
            {
                FoundAttribute stricter = declared.Skip(1).Select(d => d.Privileged).First(f => f != null && ToolAttributes.Named<bool>(f.Attribute, "RequiresApproval"))!;
                Conflicts.Add($"'{DisplayName(Method)}' is [Privileged] without approval, but '{DisplayName(stricter.Member)}', which it {Relation(Method, stricter.Member)}, requires approval; approval stays required");
            }
        }

        // The first member that declares the value wins (the method itself, then the nearest inherited
        // member). Any other member declaring a different value is a conflict.
        private FoundAttribute? Pick(List<Declared> declared, System.Func<Declared, FoundAttribute?> read, System.Func<FoundAttribute, string> describe, string what)
        {
            FoundAttribute? chosen = null;
            foreach (Declared d in declared)
            {
                if (!(read(d) is FoundAttribute f))
                {
                    continue;
                }

                if (chosen == null)
                {
                    chosen = f;
                    continue;
                }

                string a = describe(chosen);
                string b = describe(f);
                if (a != b)
                {
                    Conflicts.Add($"'{DisplayName(chosen.Member)}' has {a} but '{DisplayName(f.Member)}', which it {Relation(chosen.Member, f.Member)}, has {b} (the {what} must agree, or calls through '{DisplayName(f.Member)}' and '{DisplayName(chosen.Member)}' would be charged differently)");
                }
            }

            return chosen;
        }

        private static string Relation(IMethodSymbol member, IMethodSymbol inherited) =>
            inherited.ContainingType.TypeKind == TypeKind.Interface && member.ContainingType.TypeKind != TypeKind.Interface ? "implements" : "overrides";

        private static string DescribeCost(FoundAttribute cost)
        {
            string? estimator = ToolAttributes.Named<string?>(cost.Attribute, "Estimator");
            if (!string.IsNullOrEmpty(estimator))
            {
                return "[Cost(Estimator = " + estimator + ")]";
            }

            object? units = cost.Attribute.ConstructorArguments.FirstOrDefault().Value;
            return "[Cost(" + System.Convert.ToString(units, CultureInfo.InvariantCulture) + ")]";
        }

        private static string DescribeLoop(FoundAttribute loop) =>
            string.Format(CultureInfo.InvariantCulture, "[AgentLoop(MaxIterations = {0}, MaxToolCalls = {1}, MaxCost = {2})]",
                ToolAttributes.Named<int>(loop.Attribute, "MaxIterations"), ToolAttributes.Named<int>(loop.Attribute, "MaxToolCalls"), ToolAttributes.Named<double>(loop.Attribute, "MaxCost"));

        /// <summary>What one member says about itself.</summary>
        private sealed class Declared
        {
            public IMethodSymbol Member { get; private set; } = null!;

            public FoundAttribute? Cost { get; private set; }

            public FoundAttribute? Category { get; private set; }

            public FoundAttribute? Privileged { get; private set; }

            public FoundAttribute? AgentTool { get; private set; }

            public FoundAttribute? Fallback { get; private set; }

            public FoundAttribute? Loop { get; private set; }

            public FoundAttribute? KernelFunction { get; private set; }

            public FoundAttribute? McpServerTool { get; private set; }

            /// <summary>Whether it carries [Cost], [QuotaCategory], [Privileged] or [AgentTool] itself.</summary>
            public bool DeclaresTool { get; private set; }

            public static Declared? Read(IMethodSymbol member, ToolAttributes attributes)
            {
                var d = new Declared { Member = member };
                bool any = false;
                foreach (AttributeData a in member.GetAttributes())
                {
                    switch (attributes.KindOf(a))
                    {
                        case ToolAttributeKind.Cost:
                            d.Cost ??= new FoundAttribute(a, member, false);
                            any = d.DeclaresTool = true;
                            break;
                        case ToolAttributeKind.QuotaCategory:
                            d.Category ??= new FoundAttribute(a, member, false);
                            any = d.DeclaresTool = true;
                            break;
                        case ToolAttributeKind.Privileged:
                            d.Privileged ??= new FoundAttribute(a, member, false);
                            any = d.DeclaresTool = true;
                            break;
                        case ToolAttributeKind.AgentTool:
                            d.AgentTool ??= new FoundAttribute(a, member, false);
                            any = d.DeclaresTool = true;
                            break;
                        case ToolAttributeKind.Fallback:
                            d.Fallback ??= new FoundAttribute(a, member, false);
                            break;
                        case ToolAttributeKind.AgentLoop:
                            d.Loop ??= new FoundAttribute(a, member, false);
                            any = true;
                            break;
                        case ToolAttributeKind.KernelFunction:
                            d.KernelFunction ??= new FoundAttribute(a, member, false);
                            break;
                        case ToolAttributeKind.McpServerTool:
                            d.McpServerTool ??= new FoundAttribute(a, member, false);
                            break;
                    }
                }

                if (!any && d.KernelFunction == null && d.McpServerTool == null && d.Fallback == null)
                {
                    return null;
                }

                if (any && d.Category == null && member.ContainingType != null && attributes.Find(member.ContainingType, ToolAttributeKind.QuotaCategory) is AttributeData typeCategory)
                {
                    d.Category = new FoundAttribute(typeCategory, member, true);
                }

                return d;
            }
        }
    }
}

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators
{
    // Which AgentQuotas attributes apply to a method: its own, and those of the members it overrides or
    // implements (a base-class virtual/abstract member, an interface member). A call through an annotated
    // interface or base member is guarded with that member's annotations; a call on the implementing or
    // overriding member is guarded with its own, completed by the inherited ones. Two members that say
    // different things about the same call are a conflict, reported as AQ1004.
    public sealed partial class GuardGenerator
    {
        internal static partial class Parser
        {
            /// <summary>The attributes that apply to one method, with the member each came from.</summary>
            internal sealed class Annotations
            {
                private Annotations(IMethodSymbol method)
                {
                    Method = method;
                }

                public IMethodSymbol Method { get; }

                public Found? Cost { get; private set; }

                /// <summary>The method-level [QuotaCategory], or the class-level one of the member that declares the tool.</summary>
                public Found? Category { get; private set; }

                public Found? AgentTool { get; private set; }

                public Found? Fallback { get; private set; }

                public Found? Loop { get; private set; }

                public Found? KernelFunction { get; private set; }

                public Found? McpServerTool { get; private set; }

                /// <summary>[Privileged] on the method or any member it overrides or implements.</summary>
                public bool IsPrivileged { get; private set; }

                /// <summary>[Privileged(RequiresApproval = true)] on the method or any member it overrides or implements.</summary>
                public bool RequiresApproval { get; private set; }

                /// <summary>What the method and the members it inherits from disagree on (empty when nothing).</summary>
                public List<string> Conflicts { get; } = new();

                /// <summary>Whether calls to the method are guarded: it (or a member it inherits from) carries a tool attribute.</summary>
                public bool IsGuarded => Cost is not null || IsPrivileged || AgentTool is not null || HasMethodCategory;

                public bool IsLoop => Loop is not null;

                private bool HasMethodCategory { get; set; }

                /// <summary>Reads the annotations of <paramref name="method"/> (an unconstructed, unreduced method).</summary>
                public static Annotations Of(IMethodSymbol method)
                {
                    var result = new Annotations(method);
                    List<IMethodSymbol> chain = InheritedFrom(method);
                    var declared = new List<Declared>(chain.Count);
                    foreach (IMethodSymbol member in chain)
                    {
                        if (Declared.Read(member) is Declared d)
                        {
                            declared.Add(d);
                        }
                    }

                    result.Merge(declared);
                    return result;
                }

                /// <summary>Cheap test used on every invocation: does any member in the chain carry one of our method attributes?</summary>
                public static bool AnyOurs(IMethodSymbol method)
                {
                    foreach (IMethodSymbol member in InheritedFrom(method))
                    {
                        foreach (AttributeData a in member.GetAttributes())
                        {
                            if (IsOurs(a) is string name && name != "FallbackAttribute")
                            {
                                return true;
                            }
                        }
                    }

                    return false;
                }

                // The method first, then what it overrides (nearest first), then the interface members it (or an
                // overridden member) implements, in declaration order.
                private static List<IMethodSymbol> InheritedFrom(IMethodSymbol method)
                {
                    var chain = new List<IMethodSymbol>();
                    for (IMethodSymbol? m = method; m is not null; m = m.OverriddenMethod)
                    {
                        chain.Add(m.OriginalDefinition);
                    }

                    int classMembers = chain.Count;
                    for (int i = 0; i < classMembers; i++)
                    {
                        foreach (IMethodSymbol implemented in ImplementedInterfaceMembers(chain[i]))
                        {
                            if (!chain.Contains(implemented, SymbolEqualityComparer.Default))
                            {
                                chain.Add(implemented);
                            }
                        }
                    }

                    return chain;
                }

                private static IEnumerable<IMethodSymbol> ImplementedInterfaceMembers(IMethodSymbol method)
                {
                    foreach (IMethodSymbol explicitImplementation in method.ExplicitInterfaceImplementations)
                    {
                        yield return explicitImplementation.OriginalDefinition;
                    }

                    INamedTypeSymbol type = method.ContainingType;
                    if (method.IsStatic || type is null || type.TypeKind == TypeKind.Interface || method.MethodKind != MethodKind.Ordinary)
                    {
                        yield break;
                    }

                    foreach (INamedTypeSymbol implemented in type.AllInterfaces)
                    {
                        foreach (IMethodSymbol candidate in implemented.GetMembers(method.Name).OfType<IMethodSymbol>())
                        {
                            // Only annotated interface members matter; the attribute test is cheap, the lookup is not.
                            if (!candidate.GetAttributes().Any(a => IsOurs(a) is not null))
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
                        : declared.Select(d => d.Category).FirstOrDefault(c => c is not null);
                    AgentTool = Pick(declared, d => d.AgentTool, f => "[AgentTool(\"" + (f.Attribute.ConstructorArguments.FirstOrDefault().Value as string) + "\")]", "tool name");
                    Fallback = Pick(declared, d => d.Fallback, f => "fallback '" + (f.Attribute.ConstructorArguments.FirstOrDefault().Value as string) + "'", "fallback");
                    Loop = Pick(declared, d => d.Loop, DescribeLoop, "[AgentLoop] caps");
                    KernelFunction = declared.Select(d => d.KernelFunction).FirstOrDefault(f => f is not null);
                    McpServerTool = declared.Select(d => d.McpServerTool).FirstOrDefault(f => f is not null);

                    // Privilege is never weakened by an override or an implementation: the strictest applies.
                    foreach (Declared d in declared)
                    {
                        if (d.Privileged is Found p)
                        {
                            IsPrivileged = true;
                            RequiresApproval |= Named<bool>(p.Attribute, "RequiresApproval");
                        }
                    }

                    if (declared.Count > 0 && declared[0].Privileged is Found own && !Named<bool>(own.Attribute, "RequiresApproval") && RequiresApproval
                        && ReferenceEquals(declared[0].Member, Method.OriginalDefinition))
                    {
                        Found stricter = declared.Skip(1).Select(d => d.Privileged).First(f => f is not null && Named<bool>(f.Attribute, "RequiresApproval"))!;
                        Conflicts.Add($"'{DisplayName(Method)}' is [Privileged] without approval, but '{DisplayName(stricter.Member)}', which it {Relation(Method, stricter.Member)}, requires approval; approval stays required");
                    }
                }

                // The first member that declares the value wins (the method itself, then the nearest inherited
                // member). Any other member declaring a different value is a conflict.
                private Found? Pick(List<Declared> declared, System.Func<Declared, Found?> read, System.Func<Found, string> describe, string what)
                {
                    Found? chosen = null;
                    foreach (Declared d in declared)
                    {
                        if (read(d) is not Found f)
                        {
                            continue;
                        }

                        if (chosen is null)
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

                private static string DescribeCost(Found cost)
                {
                    string? estimator = Named<string?>(cost.Attribute, "Estimator");
                    if (!string.IsNullOrEmpty(estimator))
                    {
                        return "[Cost(Estimator = " + estimator + ")]";
                    }

                    object? units = cost.Attribute.ConstructorArguments.FirstOrDefault().Value;
                    return "[Cost(" + System.Convert.ToString(units, CultureInfo.InvariantCulture) + ")]";
                }

                private static string DescribeLoop(Found loop) =>
                    string.Format(CultureInfo.InvariantCulture, "[AgentLoop(MaxIterations = {0}, MaxToolCalls = {1}, MaxCost = {2})]",
                        Named<int>(loop.Attribute, "MaxIterations"), Named<int>(loop.Attribute, "MaxToolCalls"), Named<double>(loop.Attribute, "MaxCost"));
            }

            /// <summary>An attribute and the member (or, for a class-level category, the member whose type) it is on.</summary>
            internal sealed class Found
            {
                public Found(AttributeData attribute, IMethodSymbol member, bool fromType)
                {
                    Attribute = attribute;
                    Member = member;
                    FromType = fromType;
                }

                public AttributeData Attribute { get; }

                public IMethodSymbol Member { get; }

                public bool FromType { get; }
            }

            /// <summary>What one member says about itself.</summary>
            private sealed class Declared
            {
                public IMethodSymbol Member { get; private set; } = null!;

                public Found? Cost { get; private set; }

                public Found? Category { get; private set; }

                public Found? Privileged { get; private set; }

                public Found? AgentTool { get; private set; }

                public Found? Fallback { get; private set; }

                public Found? Loop { get; private set; }

                public Found? KernelFunction { get; private set; }

                public Found? McpServerTool { get; private set; }

                public static Declared? Read(IMethodSymbol member)
                {
                    var d = new Declared { Member = member };
                    bool any = false;
                    foreach (AttributeData a in member.GetAttributes())
                    {
                        switch (IsOurs(a))
                        {
                            case "CostAttribute":
                                d.Cost = new Found(a, member, false);
                                any = true;
                                break;
                            case "QuotaCategoryAttribute":
                                d.Category = new Found(a, member, false);
                                any = true;
                                break;
                            case "PrivilegedAttribute":
                                d.Privileged = new Found(a, member, false);
                                any = true;
                                break;
                            case "AgentToolAttribute":
                                d.AgentTool = new Found(a, member, false);
                                any = true;
                                break;
                            case "FallbackAttribute":
                                d.Fallback = new Found(a, member, false);
                                break;
                            case "AgentLoopAttribute":
                                d.Loop = new Found(a, member, false);
                                any = true;
                                break;
                            default:
                                if (FrameworkToolAttribute(a) is string framework)
                                {
                                    if (framework == KernelFunctionAttributeName)
                                    {
                                        d.KernelFunction = new Found(a, member, false);
                                    }
                                    else
                                    {
                                        d.McpServerTool = new Found(a, member, false);
                                    }
                                }

                                break;
                        }
                    }

                    if (!any && d.KernelFunction is null && d.McpServerTool is null && d.Fallback is null)
                    {
                        return null;
                    }

                    if (any && d.Category is null && ClassCategory(member.ContainingType) is AttributeData typeCategory)
                    {
                        d.Category = new Found(typeCategory, member, true);
                    }

                    return d;
                }

                private static AttributeData? ClassCategory(INamedTypeSymbol? type)
                {
                    if (type is null)
                    {
                        return null;
                    }

                    foreach (AttributeData a in type.GetAttributes())
                    {
                        if (IsOurs(a) == "QuotaCategoryAttribute")
                        {
                            return a;
                        }
                    }

                    return null;
                }
            }
        }
    }
}

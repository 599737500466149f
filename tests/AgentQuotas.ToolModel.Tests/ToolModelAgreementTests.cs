using AgentQuotas.Generators.Models;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace AgentQuotas.ToolModel.Tests;

/// <summary>
/// The generator and the analyzers run over one corpus of tool shapes (<see cref="ToolCorpus"/>) and must judge
/// every method alike: a guard that fails closed (no category, no cost, an unusable cost or estimator) is exactly
/// a method the analyzers report (AQ0001, AQ0004, AQ0006); a fallback the guard calls is exactly one the analyzers
/// accept (AQ0005); privilege and category are the same on both sides (AQ0004 vs AQ0001, AQ0009); the tool
/// registry registers exactly the usable guards with the same fallback; framework tools without a budget are not
/// guarded and are reported; local functions are refused (AQ1003) exactly where only generated code could help.
/// </summary>
public sealed class ToolModelAgreementTests(ITestOutputHelper output)
{
    private static readonly string[] BudgetIds = ["AQ0001", "AQ0004", "AQ0006"];

    [Fact]
    public async Task Generator_and_analyzers_agree_about_every_method_of_the_corpus()
    {
        AgreementRun run = await AgreementRun.RunAsync(ToolCorpus.Sources, ToolCorpus.Policy);
        var disagreements = new List<string>();
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        int compared = 0;

        foreach ((string key, IMethodSymbol method) in run.Methods.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            GeneratorVerdict generator = run.Generator[key];
            List<Diagnostic> analyzer = run.Analyzers.TryGetValue(key, out List<Diagnostic>? found) ? found : [];
            bool Reports(string id) => analyzer.Any(d => d.Id == id && (id != "AQ0004" || IsBudgetReport(d)));
            void Disagree(string what) => disagreements.Add(key + ": " + what + Describe(generator, analyzer));

            if (method.MethodKind == MethodKind.LocalFunction)
            {
                compared++;
                bool onlyGeneratedCodeCouldGuard = HasAttribute(method, "AgentLoopAttribute") || HasAttribute(method, "FallbackAttribute")
                    || method.GetAttributes().Any(a => a.AttributeClass?.Name == "CostAttribute" && a.NamedArguments.Any(n => n.Key == "Estimator"));
                outcomes.Add("local:" + onlyGeneratedCodeCouldGuard);
                if (generator.CannotGuardDeclaration != onlyGeneratedCodeCouldGuard)
                {
                    Disagree(onlyGeneratedCodeCouldGuard ? "the generator does not refuse a local function only generated code could guard (AQ1003)" : "the generator refuses a local function the runtime can guard (AQ1003)");
                }

                if (!generator.CannotGuardDeclaration && BudgetIds.Concat(["AQ0005"]).Any(Reports))
                {
                    Disagree("the analyzers reject a local function the generator accepts");
                }

                continue;
            }

            if (generator.CannotIntercept)
            {
                outcomes.Add("cannot-intercept");
                continue; // AQ1001 fails the build: there is no guard to compare
            }

            bool annotated = Chain(method).Any(m => ToolAttributeNames.Any(name => HasAttribute(m, name)));
            if (generator.Guard is not GuardModel guard)
            {
                if (annotated && method.DeclaredAccessibility == Accessibility.Public && !method.ContainingType.IsAbstract
                    && method.MethodKind == MethodKind.Ordinary && method.ContainingType.TypeKind != TypeKind.Interface)
                {
                    Disagree("the generator does not guard a method carrying (or inheriting) a tool attribute");
                }

                if (!annotated && (HasAttribute(method, "KernelFunctionAttribute") || HasAttribute(method, "McpServerToolAttribute")))
                {
                    compared++;
                    outcomes.Add("framework-unbudgeted");
                    if (!Reports("AQ0001"))
                    {
                        Disagree("a framework tool without a budget is neither guarded nor reported (AQ0001)");
                    }
                }

                continue;
            }

            compared++;

            // 1. The guard fails closed exactly when the analyzers report the budget or the cost (on the method, or for
            //    AQ0001/AQ0004 on the member it inherits the incomplete budget from).
            bool declaresTool = ToolAttributeNames.Any(name => HasAttribute(method, name));
            bool reported = BudgetIds.Any(Reports) || (!declaresTool && Chain(method).Skip(1).Any(m =>
                run.Analyzers.TryGetValue(AgreementRun.Key(m), out List<Diagnostic>? inherited) && inherited.Any(d => d.Id == "AQ0001" || (d.Id == "AQ0004" && IsBudgetReport(d)))));
            outcomes.Add("guard-problem:" + (guard.Problem is not null));
            if ((guard.Problem is not null) != reported)
            {
                Disagree(guard.Problem is not null ? "the guard fails closed but the analyzers accept the budget" : "the analyzers reject a budget the guard uses");
            }

            // 2. Privilege: a missing budget is AQ0004 for a privileged tool and AQ0001 otherwise.
            if ((Reports("AQ0004") && !guard.IsPrivileged) || (Reports("AQ0001") && guard.IsPrivileged))
            {
                Disagree("the two sides disagree whether the tool is privileged");
            }

            // 3. A fallback the guard calls is exactly one the analyzers accept; in an ordered chain, each entry the guard
            //    leaves out is one AQ0005 of its own.
            if (Chain(method).Select(m => m.GetAttributes().FirstOrDefault(a => a.AttributeClass?.Name == "FallbackAttribute")).FirstOrDefault(a => a is not null) is AttributeData fallbackAttribute)
            {
                int entries = fallbackAttribute.ConstructorArguments.Length > 1 ? 1 + fallbackAttribute.ConstructorArguments[1].Values.Length : 1;
                int rejected = analyzer.Count(d => d.Id == "AQ0005");
                outcomes.Add("fallback:" + (guard.Fallback is not null));
                if (entries > 1)
                {
                    outcomes.Add("fallback-chain:" + guard.Fallbacks.Count + "-of-" + entries);
                }

                if (guard.Fallbacks.Count + rejected != entries)
                {
                    Disagree($"the guard calls {guard.Fallbacks.Count} of {entries} fallbacks but the analyzers reject {rejected} (AQ0005)");
                }
            }

            // 4. Category: a usable fixed cost above the "small" capacity is AQ0009 exactly when the category is "small".
            bool neverAdmitted = guard.Problem is null && guard.Category == "small" && guard.Estimator is null && guard.FixedCost > 5;
            outcomes.Add("never-admitted:" + neverAdmitted);
            if (neverAdmitted != Reports("AQ0009"))
            {
                Disagree("the two sides disagree about the category ('" + guard.Category + "')");
            }

            // 5. The registry registers exactly the usable guards it can describe, with the same fallback.
            if (Registrable(method))
            {
                bool staticOwner = method.ContainingType.IsStatic;
                bool registered = generator.Registration is not null;
                outcomes.Add("registered:" + registered);
                if (registered && guard.Problem is not null)
                {
                    Disagree("the registry describes a tool whose guard fails closed");
                }

                if (!registered && guard.Problem is null && !(staticOwner && guard.Estimator is { Accessible: false }))
                {
                    Disagree("the registry leaves out a tool the guard can charge");
                }

                bool registryFallback = generator.Registration?.Contains("Fallback = ", StringComparison.Ordinal) == true;
                if (registered && registryFallback != (guard.Fallback is not null) && !(staticOwner && guard.Fallback is { Accessible: false }))
                {
                    Disagree("the registry and the guard disagree about the fallback");
                }

                bool registryChain = generator.Registration?.Contains("FallbackChain = ", StringComparison.Ordinal) == true;
                if (registered && registryChain != (guard.Fallbacks.Count > 1) && !(staticOwner && guard.Fallbacks.Any(f => !f.Accessible)))
                {
                    Disagree("the registry and the guard disagree about the fallback chain");
                }
            }
        }

        output.WriteLine($"{run.Methods.Count} methods and local functions in the corpus, {compared} compared; outcomes: {string.Join(", ", outcomes.Order(StringComparer.Ordinal))}");
        Assert.True(disagreements.Count == 0, disagreements.Count + " disagreement(s):\n" + string.Join("\n", disagreements));

        // The corpus exercises every outcome of every comparison, so none of them passes vacuously.
        Assert.True(compared >= 90, "only " + compared + " methods compared");
        string[] expected =
        [
            "guard-problem:True", "guard-problem:False", "fallback:True", "fallback:False", "fallback-chain:2-of-2", "fallback-chain:1-of-3", "never-admitted:True", "never-admitted:False",
            "registered:True", "registered:False", "local:True", "local:False", "cannot-intercept", "framework-unbudgeted",
        ];
        Assert.Empty(expected.Except(outcomes));
    }

    private static readonly string[] ToolAttributeNames = ["CostAttribute", "QuotaCategoryAttribute", "PrivilegedAttribute", "AgentToolAttribute"];

    private static bool IsBudgetReport(Diagnostic d) => d.Properties.TryGetValue("AQ.Kind", out string? kind) && kind == "Budget";

    private static bool HasAttribute(IMethodSymbol method, string name) =>
        method.GetAttributes().Any(a => a.AttributeClass?.Name == name);

    /// <summary>The method, the members it overrides (nearest first) and the interface members it implements.</summary>
    private static IEnumerable<IMethodSymbol> Chain(IMethodSymbol method)
    {
        for (IMethodSymbol? m = method; m is not null; m = m.OverriddenMethod)
        {
            yield return m;
        }

        foreach (IMethodSymbol explicitMember in method.ExplicitInterfaceImplementations)
        {
            yield return explicitMember;
        }

        INamedTypeSymbol type = method.ContainingType;
        foreach (INamedTypeSymbol implemented in type.TypeKind == TypeKind.Interface ? [] : type.AllInterfaces)
        {
            foreach (IMethodSymbol member in implemented.GetMembers(method.Name).OfType<IMethodSymbol>())
            {
                if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method)
                    && !method.ExplicitInterfaceImplementations.Contains(member, SymbolEqualityComparer.Default))
                {
                    yield return member;
                }
            }
        }
    }

    /// <summary>What the registry can describe without reflection at call time (and only with an own tool attribute).</summary>
    private static bool Registrable(IMethodSymbol method) =>
        (HasAttribute(method, "CostAttribute") || HasAttribute(method, "AgentToolAttribute") || HasAttribute(method, "PrivilegedAttribute"))
        && !method.IsGenericMethod && method.MethodKind == MethodKind.Ordinary && method.ContainingType.Arity == 0
        && method.Parameters.All(p => p.RefKind == RefKind.None && !p.Type.IsRefLikeType);

    private static string Describe(GeneratorVerdict generator, List<Diagnostic> analyzer) =>
        "\n    generator: " + (generator.Guard is GuardModel g
            ? $"category {g.Category ?? "none"}, privileged {g.IsPrivileged}, cost {g.FixedCost}, estimator {g.Estimator?.Name ?? "none"}, fallback {(g.Fallbacks.Count == 0 ? "none" : string.Join(" then ", g.Fallbacks.Select(f => f.Name)))}, problem {g.Problem ?? "none"}, registered {generator.Registration is not null}"
            : "no guard")
        + "\n    analyzers: " + (analyzer.Count == 0 ? "nothing" : string.Join("; ", analyzer.Select(d => d.Id + " " + d.GetMessage())));
}

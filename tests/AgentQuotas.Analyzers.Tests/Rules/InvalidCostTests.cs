using AgentQuotas.Analyzers.Tests.Harness;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0006: costs that are not finite numbers above zero, and estimators that cannot be called.</summary>
public sealed class InvalidCostTests
{
    [Theory]
    [InlineData("0", "but is 0")]
    [InlineData("-3", "but is -3")]
    [InlineData("double.NaN", "but is NaN")]
    [InlineData("double.PositiveInfinity", "but is infinity")]
    [InlineData("1.0 / 0", "but is infinity")]
    public async Task Fixed_costs_must_be_finite_and_positive(string cost, string expected)
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync($$"""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost([|{{cost}}|])] public void Search() { }
            }
            """, "AQ0006");

        Assert.EndsWith("the cost must be a finite number greater than zero, " + expected, diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Cost_needs_units_or_an_estimator_but_not_both()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [[|Cost|]] public void None() { }
                [[|Cost(5, Estimator = nameof(Estimate))|]] public void Both(int n) { }
                [Cost(Estimator = [|""|])] public void Empty() { }
                internal static double Estimate(int n) => n;
            }
            """, "AQ0006");

        Assert.Contains(diagnostics, d => d.GetMessage().EndsWith("it gives neither units ([Cost(5)]) nor an Estimator ([Cost(Estimator = nameof(...))])"));
        Assert.Contains(diagnostics, d => d.GetMessage().EndsWith("it sets both units and an Estimator; keep one of them"));
    }

    [Fact]
    public async Task Estimator_problems_are_reported_on_the_estimator_argument()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost(Estimator = [|"Estimat"|])] public void Missing(string q) { }
                [Cost(Estimator = [|nameof(Instance)|])] public void NotStatic(string q) { }
                [Cost(Estimator = [|nameof(ReturnsInt)|])] public void WrongReturn(string q) { }
                [Cost(Estimator = [|nameof(WrongParameters)|])] public void WrongParameters(string q, int pages) { }
                [Cost(Estimator = [|nameof(Hidden)|])] public void Hidden(string q) { }

                internal static double Estimate(string q) => 1;
                internal double Instance(string q) => 1;
                internal static int ReturnsInt(string q) => 1;
                internal static double WrongParameters(int pages) => pages;
                private static double Hidden(string q, int extra = 0) => 1;
            }
            """, "AQ0006");

        string[] messages = diagnostics.Select(d => d.GetMessage()).ToArray();
        Assert.Contains(messages, m => m.EndsWith("estimator 'Estimat' is not a method of 'Tools'; did you mean 'Estimate'?"));
        Assert.Contains(messages, m => m.EndsWith("estimator 'Instance' must be static"));
        Assert.Contains(messages, m => m.EndsWith("estimator 'ReturnsInt' must return double, not int"));
        Assert.Contains(messages, m => m.EndsWith("estimator 'WrongParameters' must take the tool's parameters (string q, int pages) or a prefix of them, not (int pages)"));
        Assert.Contains(messages, m => m.Contains("estimator 'Hidden' must take the tool's parameters"));
    }

    [Fact]
    public async Task Estimators_must_be_declared_where_the_guard_can_reach_them()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class SearchBase
            {
                protected static double Inherited(string q) => q.Length;
            }

            [QuotaCategory("search")]
            public class Derived : SearchBase
            {
                [Cost(Estimator = [|nameof(Inherited)|])] public void Search(string q) { }
            }

            [QuotaCategory("search")]
            public class Closed
            {
                [Cost(Estimator = nameof(Estimate))] public void Search(string q) { }
                private static double Estimate(string q) => q.Length;   // reached through [UnsafeAccessor]
            }
            """, "AQ0006");

        // Estimators are looked up on the tool's own type only, so an inherited one is reported as missing there.
        Assert.EndsWith("'Inherited' is not a method of 'Derived'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Valid_costs_and_estimators_are_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost(20)] public void Fixed() { }
                [Cost(0.25)] public void Fraction() { }
                [Cost(Estimator = nameof(ByQuery))] public void Prefix(string q, int pages) { }
                [Cost(Estimator = nameof(ByAll))] public void All(string q, int pages) { }
                [Cost(Estimator = nameof(Overloaded))] public void Overload(int pages) { }
                [Cost(Estimator = nameof(Constant))] public void NoParameters(string q) { }

                public static double ByQuery(string q) => q.Length;
                internal static double ByAll(string q, int pages) => q.Length * pages;
                internal static double Overloaded(string q) => 1;
                internal static double Overloaded(int pages) => pages;
                internal static double Constant() => 3;
            }
            """);
    }
}

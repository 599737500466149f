using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>Code being typed is often wrong; no analyzer may throw on it (the harness fails on any AD0001).</summary>
public sealed class BrokenCodeTests
{
    [Theory]
    [InlineData("""[QuotaCategory("search")] public class T { [Cost("ten")] public void M() { } }""")]
    [InlineData("""[QuotaCategory(null)] public class T { [Cost(1)] public void M() { } }""")]
    [InlineData("""public class T { [AgentLoop(MaxIterations = "many")] public void M() { while (true) { } } }""")]
    [InlineData("""[QuotaCategory("search")] public class T { [Cost(1), Fallback(42)] public void M() { } }""")]
    [InlineData("""[QuotaCategory("search")] public class T { [Cost(Estimator = 7)] public void M() { } }""")]
    [InlineData("""[QuotaCategory("search")] public class T { [Cost(1)] public void M( { while (true) M(; }""")]
    [InlineData("""public class T { public void Run(IChatClient c) { for (ulong i = 0; i < 3; i += 18446744073709551615) c.GetResponseAsync("x"); } }""")]
    [InlineData("""public class T { public void Run(IChatClient c) { for (var i = 0; i < ; i++) c.GetResponseAsync("x"); foreach (var x in ) { } } }""")]
    [InlineData("""public class T { public object R() => typeof(Missing).GetMethod("X")!.Invoke(null, null)!; }""")]
    [InlineData("""[QuotaCategory("search")] public partial class T { [Cost(1)] public partial void M(); [Cost(2)] public partial void M() { } }""")]
    public async Task Analyzers_do_not_throw_on_code_that_does_not_compile(string source)
    {
        // Which AQ diagnostics broken code gets is not the point; GetDiagnosticsAsync fails on any analyzer exception.
        var diagnostics = await new AgentQuotasAnalyzerTest { Sources = { source }, AllowCompilerErrors = true }.GetDiagnosticsAsync();

        Assert.All(diagnostics, d => Assert.StartsWith("AQ", d.Id));
    }
}

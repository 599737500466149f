using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0013: a literal class passed to BeginRun above its workflow's class or above every tier's maxClass; AQ0008 for the trust fields.</summary>
public sealed class ClassCeilingTests
{
    private const string Policy = """
        {
          "version": "v1",
          "tiers": {
            "free":     { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } }, "maxClass": "Standard" },
            "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } }, "maxClass": "High" }
          },
          "defaultTier": "free",
          "workflows": {
            "faq":   { "class": "Standard", "owner": "support-team" },
            "fraud": { "class": "High", "owner": "risk-team" }
          }
        }
        """;

    [Fact]
    public async Task A_literal_class_above_the_workflow_or_every_tier_is_reported_on_the_argument()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Edge
            {
                public void Open(QuotaGate gate, AgentIdentity id)
                {
                    using (gate.BeginRun(id, [|WorkloadClass.High|], "faq")) { }
                    using (gate.BeginRun(id, [|WorkloadClass.Critical|])) { }
                    using (gate.BeginRun(id, workflow: "fraud", workloadClass: [|WorkloadClass.Critical|])) { }
                }
            }
            """, "AQ0013", Policy);

        Assert.Contains(diagnostics, d => d.GetMessage() ==
            "BeginRun asks for WorkloadClass.High, but workflow 'faq' runs at Standard (owner support-team); the run is lowered or refused at run time (classCeiling)");
        Assert.Contains(diagnostics, d => d.GetMessage() ==
            "BeginRun asks for WorkloadClass.Critical, but the policy lets no tenant run above High (every tier's maxClass); the run is lowered or refused at run time (classCeiling)");
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public async Task Classes_within_the_ceiling_computed_or_left_to_the_policy_are_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Edge
            {
                public void Open(QuotaGate gate, AgentIdentity id, WorkloadClass fromRequest, string workflow)
                {
                    using (gate.BeginRun(id, workflow: "fraud")) { }
                    using (gate.BeginRun(id, WorkloadClass.High, "fraud")) { }
                    using (gate.BeginRun(id, WorkloadClass.Batch, "faq")) { }
                    using (gate.BeginRun(id, WorkloadClass.High, "not-listed")) { }
                    using (gate.BeginRun(id, WorkloadClass.High, workflow)) { }
                    using (gate.BeginRun(id, fromRequest)) { }
                }
            }
            """, "AQ0013", Policy);
    }

    [Fact]
    public async Task Without_ceilings_in_the_policy_nothing_is_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Edge
            {
                public void Open(QuotaGate gate, AgentIdentity id) { using (gate.BeginRun(id, WorkloadClass.Critical)) { } }
            }
            """);
    }

    [Fact]
    public async Task Bad_trust_fields_are_AQ0008_at_their_line_and_column()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("// no code", "AQ0008", """
            {
              "version": "v1",
              "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } }, "maxClass": [|"Urgent"|],
                                "principal": { "share": [|2|] } } },
              "workflows": { "faq": [|{|] "class": "Standard" } },
              "classCeiling": [|"clamp"|]
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("unknown workload class 'Urgent'"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("workflow 'faq' is missing required field 'owner'"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("classCeiling must be \"lower\""));
    }
}

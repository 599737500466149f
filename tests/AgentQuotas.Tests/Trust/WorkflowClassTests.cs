using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Trust;

public sealed class WorkflowClassTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");

    private static QuotaPolicy Policy(string ceiling = "lower", string tierExtra = "", string tenants = "") => QuotaPolicy.Parse($$"""
        {
          "version": "v1",
          "tiers": { "standard": { "categories": { "search": { "capacity": 100, "refillPerSecond": 1 } }{{tierExtra}} } },
          "defaultTier": "standard",
          {{tenants}}
          "classCeiling": "{{ceiling}}",
          "workflows": {
            "fraud": { "class": "Critical", "owner": "risk-team" },
            "faq":   { "class": "Standard", "owner": "support-team", "limits": { "maxToolCalls": 2 } }
          }
        }
        """);

    [Fact]
    public void A_workflow_takes_its_class_from_the_policy()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), TestTime.Create());

        using (AgentRun fraud = gate.BeginRun(Acme, workflow: "fraud"))
        {
            Assert.Equal(WorkloadClass.Critical, fraud.WorkloadClass);
        }

        using AgentRun unlisted = gate.BeginRun(Acme, workflow: "reports");
        Assert.Equal(WorkloadClass.Standard, unlisted.WorkloadClass);
    }

    [Fact]
    public void A_standard_workflow_cannot_run_as_critical_it_is_lowered_and_the_audit_says_so()
    {
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = TestPolicies.Gate(Policy(), TestTime.Create(), o => o.AuditSink = audit);

        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.Critical, "faq");

        Assert.Equal(WorkloadClass.Standard, run.WorkloadClass);
        QuotaAuditRecord record = Assert.Single(audit.Snapshot());
        Assert.Equal((AuditDecision.Degraded, QuotaReason.ClassCeiling, WorkloadClass.Standard, "faq", run.Id),
            (record.Decision, record.Reason, record.WorkloadClass, record.Workflow, record.RunId));
        Assert.Contains("asked for Critical", record.Detail);
        Assert.Contains("workflow 'faq' (owner support-team)", record.Detail);
        Assert.Contains("lowered to Standard", record.Detail);
        Assert.True(run.Acquire(Search, 1).IsAdmitted);
        Assert.Equal(WorkloadClass.Standard, audit.Snapshot()[1].WorkloadClass);
    }

    [Fact]
    public void With_classCeiling_refuse_a_standard_workflow_asking_for_critical_is_refused_and_audited()
    {
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = TestPolicies.Gate(Policy("refuse"), TestTime.Create(), o => o.AuditSink = audit);

        QuotaExceededException e = Assert.Throws<QuotaExceededException>(() => gate.BeginRun(Acme, WorkloadClass.Critical, "faq"));

        Assert.Equal(QuotaReason.ClassCeiling, e.Reason);
        Assert.Null(AgentRun.Current);
        QuotaAuditRecord record = Assert.Single(audit.Snapshot());
        Assert.Equal((AuditDecision.Denied, QuotaReason.ClassCeiling, WorkloadClass.Critical), (record.Decision, record.Reason, record.WorkloadClass));
        Assert.Contains("refused", record.Detail);
        using AgentRun lower = gate.BeginRun(Acme, WorkloadClass.Batch, "faq");   // asking for less is always fine
        Assert.Equal(WorkloadClass.Batch, lower.WorkloadClass);
    }

    [Fact]
    public void Tier_and_tenant_maxClass_cap_every_run_of_their_tenants()
    {
        QuotaPolicy policy = Policy(tierExtra: ", \"maxClass\": \"High\"", tenants: "\"tenants\": { \"cheap\": { \"tier\": \"standard\", \"maxClass\": \"Batch\" } },");
        using QuotaGate gate = TestPolicies.Gate(policy, TestTime.Create());

        using (AgentRun acme = gate.BeginRun(Acme, WorkloadClass.Critical))
        {
            Assert.Equal(WorkloadClass.High, acme.WorkloadClass);
        }

        using (AgentRun fraud = gate.BeginRun(Acme, workflow: "fraud"))
        {
            Assert.Equal(WorkloadClass.High, fraud.WorkloadClass);                  // the workflow's Critical, capped by the tier
        }

        using AgentRun cheap = gate.BeginRun(new AgentIdentity("cheap", "u"), WorkloadClass.High);
        Assert.Equal(WorkloadClass.Batch, cheap.WorkloadClass);
        Assert.Equal(WorkloadClass.Batch, policy.MaxClassFor("cheap"));
    }

    [Fact]
    public void A_workflows_limits_cap_its_runs()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), TestTime.Create());
        using AgentRun run = gate.BeginRun(Acme, workflow: "faq", limits: new RunLimits { MaxToolCalls = 5 });

        Assert.True(run.Acquire(Search, 1).IsAdmitted);
        Assert.True(run.Acquire(Search, 1).IsAdmitted);
        Assert.Equal(QuotaReason.RunToolCallLimit, run.Acquire(Search, 1).Decision.Reason);
    }

    [Theory]
    [InlineData("\"workflows\": { \"w\": { \"class\": \"Urgent\", \"owner\": \"t\" } }", "$.workflows.w.class", "\"Urgent\"")]
    [InlineData("\"workflows\": { \"w\": { \"class\": \"High\" } }", "$.workflows.w.owner", "{ \"class\"")]
    [InlineData("\"workflows\": { \"w\": { \"class\": \"High\", \"owner\": \" \" } }", "$.workflows.w.owner", "\" \"")]
    [InlineData("\"classCeiling\": \"clamp\"", "$.classCeiling", "\"clamp\"")]
    [InlineData("\"tenants\": { \"a\": { \"tier\": \"standard\", \"maxClass\": \"Critcal\" } }", "$.tenants.a.maxClass", "\"Critcal\"")]
    public void Bad_trust_fields_are_reported_where_they_are_written(string extra, string path, string marker)
    {
        string text = $$"""
            { "version": "v1", "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } } }, "defaultTier": "standard",
              {{extra}} }
            """;

        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(text));

        PolicyError error = Assert.Single(e.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(TestPolicies.Locate(text, marker), (error.Line, error.Column));
    }

    [Fact]
    public void Trust_fields_round_trip_through_ToJson()
    {
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v1", "defaultTier": "t", "allowSameVersionEdits": true, "classCeiling": "refuse",
              "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } }, "maxClass": "High", "principal": { "share": 0.5, "maxCostPerDay": 9 } } },
              "tenants": { "a": { "tier": "t", "maxClass": "Batch" } },
              "workflows": { "w": { "class": "High", "owner": "team", "limits": { "maxIterations": 3 } } },
              "revoked": { "tenants": ["x"], "principals": { "a": ["p"] } } }
            """);

        QuotaPolicy back = QuotaPolicy.Parse(policy.ToJson());

        Assert.Equal(policy.ToJson(), back.ToJson());
        Assert.True(back.AllowSameVersionEdits);
        Assert.Equal(ClassCeilingMode.Refuse, back.ClassCeiling);
        Assert.Equal((WorkloadClass?)WorkloadClass.High, back.Tiers["t"].MaxClass);
        Assert.Equal((0.5, 9.0), (back.Tiers["t"].Principal!.Share!.Value, back.Tiers["t"].Principal!.MaxCostPerDay!.Value));
        Assert.Equal(WorkloadClass.Batch, back.TenantMaxClasses["a"]);
        Assert.Equal(("team", 3), (back.Workflows["w"].Owner, back.Workflows["w"].Limits!.MaxIterations!.Value));
        Assert.True(back.Revoked.IsRevoked("x", "anyone") && back.Revoked.IsRevoked("a", "p"));
    }
}

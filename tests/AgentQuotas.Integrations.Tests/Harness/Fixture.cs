using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Integrations.Tests.Harness;

/// <summary>A gate on a manual clock with an in-memory audit trail, and the policy the integration tests share.</summary>
internal sealed class Fixture : IDisposable
{
    public const string PolicyJson = """
        {
          "version": "v1",
          "tiers": { "standard": {
            "categories": {
              "search":   { "capacity": 10, "refillPerSecond": 1 },
              "payments": { "capacity": 5,  "refillPerSecond": 0.05 },
              "tokens":   { "capacity": 1000, "refillPerSecond": 10 } },
            "limits": { "maxIterations": 20 } } },
          "defaultTier": "standard",
          "degradation": ["Full", "DraftOnly", "ApprovalRequired"],
          "tools": {
            "web_search":     { "category": "search",   "cost": 3 },
            "admin_delete_*": { "category": "payments", "cost": 1, "requiresApproval": true }
          }
        }
        """;

    public static readonly AgentIdentity Acme = new("acme", "user-42");

    public Fixture(IApprovalService? approvals = null, string policy = PolicyJson)
    {
        Gate = TestPolicies(policy, approvals);
    }

    public TimerCountingTimeProvider Time { get; } = new();

    public InMemoryAuditSink Audit { get; } = new();

    public QuotaGate Gate { get; }

    public double Left(string category) =>
        Gate.Store.Peek(new BucketKey("acme", category), Gate.Policy.Tiers["standard"].Categories[category].Limits).Available;

    public void Dispose() => Gate.Dispose();

    private QuotaGate TestPolicies(string policy, IApprovalService? approvals)
    {
        var options = new QuotaGateOptions { TimeProvider = Time, AuditSink = Audit };
        if (approvals is not null)
        {
            options.ApprovalService = approvals;
        }

        return new QuotaGate(QuotaPolicy.Parse(policy), options);
    }
}

internal sealed class Approvals(Func<ApprovalRequest, ValueTask<ApprovalDecision>> decide) : IApprovalService
{
    public int Asked;

    public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Asked);
        return decide(request);
    }
}

using AgentQuotas;

namespace SupportDesk.Workload;

/// <summary>
/// The tenants of the simulation, in the order <c>--tenants</c> takes them. The first six are one of each kind:
/// an enterprise customer with a refund delegation and Critical escalations, a standard customer whose refunds wait
/// for review, a Batch tenant sending nightly digests, a free-plan tenant, a noisy tenant that bursts, and a tenant
/// whose agent runs away halfway through. The next six repeat the kinds with other names.
/// </summary>
public static class TenantCatalog
{
    /// <summary>Most tenants a run can have.</summary>
    public const int MaxTenants = 12;

    private static readonly IReadOnlyList<TenantProfile> All = Build();

    /// <summary>The first <paramref name="count"/> tenants.</summary>
    /// <param name="count">1 to <see cref="MaxTenants"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is out of range.</exception>
    public static IReadOnlyList<TenantProfile> Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxTenants);
        return [.. All.Take(count)];
    }

    private static TenantProfile[] Build()
    {
        string[][] names = [["acme", "globex", "umbrella", "initech", "piedpiper", "wonka"], ["stark", "wayne", "cyberdyne", "tyrell", "oscorp", "soylent"]];
        var profiles = new List<TenantProfile>();
        for (int wave = 0; wave < names.Length; wave++)
        {
            // The second wave is offset so its bursts and arrivals do not coincide with the first's.
            TimeSpan shift = TimeSpan.FromSeconds(wave * 10);
            profiles.Add(new TenantProfile
            {
                Tenant = names[wave][0],
                Role = "live chat + escalations, refunds delegated",
                Mix =
                [
                    new(ConversationKind.OrderStatus, WorkloadClass.High, 4),
                    new(ConversationKind.Refund, WorkloadClass.High, 3),
                    new(ConversationKind.Digest, WorkloadClass.High, 1),
                    new(ConversationKind.Escalation, WorkloadClass.Critical, 2),
                ],
                MeanInterval = TimeSpan.FromSeconds(5),
                RefundApproval = RefundApproval.Delegated,
            });
            profiles.Add(new TenantProfile
            {
                Tenant = names[wave][1],
                Role = "standard support, refunds reviewed",
                Mix =
                [
                    new(ConversationKind.OrderStatus, WorkloadClass.Standard, 4),
                    new(ConversationKind.Refund, WorkloadClass.Standard, 4),
                    new(ConversationKind.Digest, WorkloadClass.Standard, 2),
                ],
                MeanInterval = TimeSpan.FromSeconds(6),
                RefundApproval = RefundApproval.Review,
            });
            profiles.Add(new TenantProfile
            {
                Tenant = names[wave][2],
                Role = "nightly digests (Batch)",
                Mix = [new(ConversationKind.Digest, WorkloadClass.Batch, 1)],
                MeanInterval = TimeSpan.FromSeconds(2),
                RefundApproval = RefundApproval.Review,
            });
            profiles.Add(new TenantProfile
            {
                Tenant = names[wave][3],
                Role = "free plan",
                Mix =
                [
                    new(ConversationKind.OrderStatus, WorkloadClass.Standard, 1),
                    new(ConversationKind.Refund, WorkloadClass.Standard, 1),
                ],
                MeanInterval = TimeSpan.FromSeconds(7),
                RefundApproval = RefundApproval.Refused,
            });
            profiles.Add(new TenantProfile
            {
                Tenant = names[wave][4],
                Role = "noisy: bursts of live chats",
                Mix =
                [
                    new(ConversationKind.OrderStatus, WorkloadClass.High, 6),
                    new(ConversationKind.Refund, WorkloadClass.High, 2),
                    new(ConversationKind.Digest, WorkloadClass.High, 2),
                ],
                MeanInterval = TimeSpan.FromSeconds(8),
                Burst = new BurstPattern(FirstAt: TimeSpan.FromSeconds(15) + shift, Every: TimeSpan.FromSeconds(40), Length: TimeSpan.FromSeconds(8), MeanInterval: TimeSpan.FromSeconds(0.5)),
                RefundApproval = RefundApproval.Review,
            });
            profiles.Add(new TenantProfile
            {
                Tenant = names[wave][5],
                Role = "at 70 % of the run its agent starts looping and its script retries in a storm",
                Mix =
                [
                    new(ConversationKind.OrderStatus, WorkloadClass.Standard, 2),
                    new(ConversationKind.Digest, WorkloadClass.Standard, 1),
                ],
                MeanInterval = TimeSpan.FromSeconds(8),
                RunawayFrom = 0.7,
                RunawayInterval = TimeSpan.FromSeconds(1),
                RefundApproval = RefundApproval.Review,
            });
        }

        return [.. profiles];
    }
}

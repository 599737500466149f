using AgentQuotas.Policy;

namespace AgentQuotas.Cli.Dashboard;

/// <summary>
/// A little traffic for <c>agentquotas dashboard --demo</c>: three tenants of the default tier each spend their first
/// category's bucket until refused, and one call per tenant is left waiting, so every panel has something to show.
/// </summary>
internal static class DemoTraffic
{
    public static readonly string[] Tenants = ["demo-acme", "demo-globex", "demo-initech"];

    public static void Run(QuotaGate gate)
    {
        QuotaPolicy policy = gate.Policy;
        foreach (string tenant in Tenants)
        {
            if (!policy.TryResolveTier(tenant, out TierPolicy? tier) || tier.Categories.Count == 0)
            {
                continue;
            }

            CategoryBudget budget = tier.Categories.Values.OrderBy(b => b.Category, StringComparer.Ordinal).First();
            var tool = new QuotaTool("demo_tool", budget.Category);
            double cost = Math.Max(budget.Capacity / 8, 1e-3);
            using AgentRun run = gate.BeginRun(new AgentIdentity(tenant, "demo"), WorkloadClass.Standard);
            for (int i = 0; i < 10; i++)
            {
                QuotaTicket ticket = run.Acquire(tool, cost);
                if (!ticket.IsAdmitted)
                {
                    break;
                }

                ticket.Complete();
            }

            _ = gate.AcquireAsync(new QuotaRequest(new AgentIdentity(tenant, "demo-waiter"), tool, cost, WorkloadClass.Batch));
        }
    }
}

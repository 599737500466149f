using AgentQuotas;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using SupportDesk;

// A few tenants on different tiers send support conversations through one gate. Everything runs
// offline and in memory; the audit trail at the end shows what the gate decided and why.
string policyPath = Path.Combine(AppContext.BaseDirectory, "agentquotas.json");
var audit = new InMemoryAuditSink();
await using var gate = new QuotaGate(QuotaPolicy.Load(policyPath), new QuotaGateOptions { AuditSink = audit });
var tools = new SupportTools();

Console.WriteLine($"AgentQuotas SupportDesk - policy {gate.Policy.Version} ({gate.Policy.ContentHash[..12]})");
Console.WriteLine();

(string Tenant, string User, WorkloadClass Class, int Questions)[] conversations =
[
    ("acme", "alice", WorkloadClass.High, 14),
    ("globex", "bob", WorkloadClass.Standard, 14),
    ("initech", "carol", WorkloadClass.Batch, 3),
];

foreach (var (tenant, user, workloadClass, questions) in conversations)
{
    using AgentRun run = gate.BeginRun(new AgentIdentity(tenant, user), workloadClass, workflow: "support");
    int answered = 0;
    string? stoppedBy = null;
    for (int i = 0; i < questions; i++)
    {
        try
        {
            await tools.SearchKbAsync($"question {i} from {user}");
            answered++;
        }
        catch (QuotaExceededException e)
        {
            stoppedBy = e.Message;
            break;
        }
    }

    string refund = await tools.IssueRefundAsync("order-" + tenant, 25m);
    Console.WriteLine($"{tenant,-8} {workloadClass,-8} answered {answered}/{questions}, spent {run.CostSpent:0} units; refund: {refund}");
    if (stoppedBy is not null)
    {
        Console.WriteLine($"         stopped: {stoppedBy}");
    }
}

try
{
    await tools.SearchKbAsync("no run open");
}
catch (InvalidOperationException e)
{
    Console.WriteLine();
    Console.WriteLine("Outside a run: " + e.Message.Split(". ")[0] + ".");
}

Console.WriteLine();
Console.WriteLine("Audit trail by tenant and decision:");
foreach (var group in audit.Snapshot().GroupBy(r => (r.Tenant, r.Decision, r.Reason, r.Mode)).OrderBy(g => g.Key.Tenant))
{
    Console.WriteLine($"  {group.Key.Tenant,-8} {group.Key.Decision,-9} {group.Key.Reason,-17} {group.Key.Mode,-16} x{group.Count()}");
}

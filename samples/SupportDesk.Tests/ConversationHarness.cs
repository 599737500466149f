using AgentQuotas;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using SupportDesk.Agent;
using SupportDesk.Hosting;
using SupportDesk.Tools;

namespace SupportDesk.Tests;

/// <summary>Runs single conversations through the sample's real agent, gate and policy on a virtual clock.</summary>
internal sealed class ConversationHarness : IDisposable
{
    private readonly VirtualTimeLoop _loop = new(SupportDeskRunner.VirtualStart);
    private readonly SupportAgent _agent;

    public ConversationHarness(IApprovalService? approval = null)
    {
        Gate = new QuotaGate(Policy, new QuotaGateOptions
        {
            TimeProvider = _loop.Clock,
            AuditSink = Audit,
            ApprovalService = approval ?? NoApprovalService.Instance,
            InlineQueueCompletions = true,
        });
        _agent = SupportDeskAgentFactory.Create(_loop.Clock, Backend);
    }

    public static QuotaPolicy Policy { get; } = QuotaPolicy.Load(Path.Combine(AppContext.BaseDirectory, "agentquotas.json"));

    public QuotaGate Gate { get; }

    public InMemoryAuditSink Audit { get; } = new(capacity: 100_000);

    public SupportBackend Backend { get; } = new();

    public VirtualClock Clock => _loop.Clock;

    public AgentAnswer Ask(string tenant, string question, WorkloadClass workloadClass = WorkloadClass.Standard) =>
        _loop.Run(() => SupportDeskConversation.RunAsync(Gate, _agent, new AgentIdentity(tenant, "customer@" + tenant + ".example"), workloadClass,
            "test", question), limit: TimeSpan.FromMinutes(10));

    public void Dispose() => Gate.Dispose();
}

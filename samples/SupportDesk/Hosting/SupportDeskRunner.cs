using AgentQuotas;
using AgentQuotas.Audit;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Policy;
using AgentQuotas.Postgres;
using SupportDesk.Agent;
using SupportDesk.Reporting;
using SupportDesk.Tools;
using SupportDesk.Workload;

namespace SupportDesk.Hosting;

/// <summary>
/// Wires the sample together and runs it: the policy, a <see cref="QuotaGate"/> on the chosen store, the support agent
/// (<see cref="SupportDeskAgentFactory"/>), the approval service, and the tenants' workload; then builds the report.
/// </summary>
public static class SupportDeskRunner
{
    /// <summary>When a run on virtual time starts (UTC); fixed so every run of a seed sees the same clock.</summary>
    public static readonly DateTimeOffset VirtualStart = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Runs the sample. On the memory store the run happens on the calling thread on virtual time (a few seconds for
    /// minutes of traffic) and the same options always give the same report; on PostgreSQL it runs in real time.
    /// </summary>
    /// <param name="options">What to run.</param>
    /// <param name="progress">Called with the state of the run at every progress interval (on the run's thread).</param>
    /// <param name="cancellationToken">Ends the traffic early; the run still drains and reports.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="PolicyValidationException">The policy file is invalid.</exception>
    /// <exception cref="PostgresStoreException">PostgreSQL cannot be used (unreachable, refused login, missing rights).</exception>
    public static async Task<SupportDeskReport> RunAsync(SupportDeskOptions options, Action<ProgressSnapshot>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        QuotaPolicy policy = QuotaPolicy.Load(options.EffectivePolicyPath);
        IReadOnlyList<TenantProfile> profiles = TenantCatalog.Take(options.Tenants);
        JsonLinesAuditSink? file = options.AuditFile is null ? null : new JsonLinesAuditSink(options.AuditFile);
        try
        {
            if (options.Store == SupportDeskStore.Memory)
            {
                var loop = new VirtualTimeLoop(VirtualStart);
                (QuotaGate gate, SupportDeskSession session) = Assemble(options, policy, profiles, loop.Clock, store: null, file, progress, virtualTime: true, cancellationToken);
                try
                {
                    return loop.Run(session.RunAsync, limit: options.EffectiveDuration + SupportDeskSession.DrainLimit + TimeSpan.FromMinutes(1), options.Pace);
                }
                finally
                {
                    await gate.DisposeAsync(); // outside the loop: flushing the audit file waits on real I/O
                }
            }

            await using PostgresQuotaStore postgres = await PostgresQuotaStore.OpenAsync(
                new PostgresQuotaStoreOptions { ConnectionString = options.ConnectionString }, cancellationToken: cancellationToken);
            (QuotaGate realGate, SupportDeskSession realSession) = Assemble(options, policy, profiles, TimeProvider.System, postgres, file, progress, virtualTime: false, cancellationToken);
            await using (realGate)
            {
                return await realSession.RunAsync();
            }
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync();
            }
        }
    }

    private static (QuotaGate Gate, SupportDeskSession Session) Assemble(SupportDeskOptions options, QuotaPolicy policy, IReadOnlyList<TenantProfile> profiles,
        TimeProvider time, PostgresQuotaStore? store, JsonLinesAuditSink? file, Action<ProgressSnapshot>? progress, bool virtualTime, CancellationToken cancellationToken)
    {
        GuardedChatClientOptions chatOptions = SupportDeskAgentFactory.ChatOptions();
        var collector = new ReportCollector(chatOptions.ToolName);
        var gate = new QuotaGate(policy, new QuotaGateOptions
        {
            TimeProvider = time,
            Store = store,
            AuditSink = file is null ? collector : new TeeAuditSink(collector, file),
            ApprovalService = options.ApprovalService ?? new SupportDeskApprover(profiles.ToDictionary(p => p.Tenant, p => p.RefundApproval, StringComparer.Ordinal)),
            InlineQueueCompletions = virtualTime,
        });

        var backend = new SupportBackend();
        SupportAgent agent = SupportDeskAgentFactory.Create(time, backend, chatOptions);
        return (gate, new SupportDeskSession(options, gate, agent, backend, collector, profiles, progress, virtualTime, cancellationToken));
    }
}

using AgentQuotas.Audit;
using AgentQuotas.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentQuotas.Tests.Hosting;

public class ServiceCollectionTests
{
    [Fact]
    public void AddAgentQuotas_builds_a_gate_from_the_policy_file_and_container_services()
    {
        string dir = Directory.CreateTempSubdirectory("aq-di").FullName;
        try
        {
            string path = Path.Combine(dir, "agentquotas.json");
            File.WriteAllText(path, TestPolicies.Design);
            var time = TestTime.Create();
            var audit = new InMemoryAuditSink();
            ServiceProvider services = new ServiceCollection()
                .AddSingleton<TimeProvider>(time)
                .AddSingleton<IQuotaAuditSink>(audit)
                .AddAgentQuotas(path, o => o.RequireAudit = true, watchPolicyFile: false)
                .BuildServiceProvider();

            QuotaGate gate = services.GetRequiredService<QuotaGate>();
            Assert.Same(gate, services.GetRequiredService<QuotaGate>());
            Assert.Equal("2026-11-21.1", gate.Policy.Version);
            Assert.Same(time, gate.TimeProvider);
            Assert.Same(audit, gate.AuditSink);

            using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
            Assert.True(run.Acquire(new QuotaTool("search_kb", "search"), 20).IsAdmitted);
            Assert.Single(audit.Snapshot());
            services.Dispose();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

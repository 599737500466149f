using AgentQuotas.Hosting;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentQuotas.Tests.Hosting;

public sealed class ConfigurationBindingTests : IDisposable
{
    private readonly HostingFixture _files = new();

    public void Dispose() => _files.Dispose();

    // What a host does when it starts: run every ValidateOnStart registration.
    private static void Start(ServiceProvider services) => services.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None).GetAwaiter().GetResult();

    private static string StartFailure(ServiceProvider services)
    {
        Exception e = Assert.ThrowsAny<Exception>(() => Start(services));
        return e is AggregateException all
            ? string.Join("\n", all.InnerExceptions.Select(i => Assert.IsType<OptionsValidationException>(i).Message))
            : Assert.IsType<OptionsValidationException>(e).Message;
    }

    [Fact]
    public void The_section_binds_the_policy_path_reloading_store_and_gate_settings()
    {
        var time = TestTime.Create();
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddAgentQuotas(_files.Section(
                ("WatchPolicyFile", "false"),
                ("PolicyReloadDelay", "00:00:02"),
                ("Store:Kind", "memory"),
                ("Gate:RequireAudit", "true"),
                ("Gate:IncludeTenantInMetrics", "False"),
                ("Gate:DefaultQueueLimit", "12"),
                ("Gate:MaxAnomalyTenants", "34"),
                ("Gate:ApprovalTimeout", "00:00:05")))
            .BuildServiceProvider();

        Start(services);
        AgentQuotasOptions hosting = services.GetRequiredService<IOptions<AgentQuotasOptions>>().Value;
        Assert.Equal(_files.PolicyPath, hosting.PolicyPath);
        Assert.False(hosting.WatchPolicyFile);
        Assert.Equal(TimeSpan.FromSeconds(2), hosting.PolicyReloadDelay);
        Assert.True(hosting.UsesStore(AgentQuotasOptions.MemoryStore));
        QuotaGateOptions gateOptions = services.GetRequiredService<IOptions<QuotaGateOptions>>().Value;
        Assert.True(gateOptions.RequireAudit);
        Assert.False(gateOptions.IncludeTenantInMetrics);
        Assert.Equal(12, gateOptions.DefaultQueueLimit);
        Assert.Equal(34, gateOptions.MaxAnomalyTenants);
        Assert.Equal(TimeSpan.FromSeconds(5), gateOptions.ApprovalTimeout);

        QuotaGate gate = services.GetRequiredService<QuotaGate>();
        Assert.Equal("2026-11-21.1", gate.Policy.Version);
        Assert.Same(time, gate.TimeProvider);
        Assert.IsType<InMemoryQuotaStore>(gate.Store);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        Assert.True(run.Acquire(new QuotaTool("search_kb", "search"), 20).IsAdmitted);
    }

    [Fact]
    public void A_bad_value_stops_the_start_naming_its_key_and_every_other_bad_key()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddAgentQuotas(_files.Section(
                ("Gate:ApprovalTimeout", "soon"),
                ("WatchPolicyFile", "sometimes"),
                ("PolicyPth", "typo.json")))
            .BuildServiceProvider();

        string message = StartFailure(services);

        Assert.Contains("AgentQuotas:Gate:ApprovalTimeout is 'soon', which is not a time span", message);
        Assert.Contains("AgentQuotas:WatchPolicyFile is 'sometimes', which is not true or false", message);
        Assert.Contains("AgentQuotas:PolicyPth is not a known setting", message);
        // Without a host the same checks run when the gate is first built.
        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<QuotaGate>());
    }

    [Fact]
    public void A_value_out_of_the_gates_range_is_refused_with_the_gates_own_rule()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddAgentQuotas(_files.Section(("Gate:ApprovalTimeout", "2.00:00:00")))
            .BuildServiceProvider();

        string message = StartFailure(services);

        Assert.Contains("AgentQuotas:Gate:ApprovalTimeout: ApprovalTimeout must be positive and at most one day", message);
    }

    [Fact]
    public void A_missing_or_invalid_policy_file_stops_the_start_naming_the_policy_path_key()
    {
        using (ServiceProvider missing = new ServiceCollection()
            .AddAgentQuotas(_files.Section(("PolicyPath", Path.Combine(_files.Directory, "nope.json"))))
            .BuildServiceProvider())
        {
            Assert.Contains("AgentQuotas:PolicyPath: the policy file", StartFailure(missing));
            Assert.Contains("nope.json' does not exist", StartFailure(missing));
        }

        File.WriteAllText(_files.PolicyPath, HostingFixture.PolicyText("v1", capacity: -1));
        using ServiceProvider invalid = new ServiceCollection().AddAgentQuotas(_files.Section()).BuildServiceProvider();
        string message = StartFailure(invalid);
        Assert.Contains("AgentQuotas:PolicyPath: the policy file", message);
        Assert.Contains("is not a valid policy", message);
        Assert.Contains("capacity", message);

        using ServiceProvider none = new ServiceCollection().AddAgentQuotas(_files.Section(("PolicyPath", ""))).BuildServiceProvider();
        Assert.Contains("AgentQuotas:PolicyPath is required", StartFailure(none));
    }

    [Fact]
    public void A_store_kind_nobody_registered_stops_the_start_saying_what_to_call()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddAgentQuotas(_files.Section(("Store:Kind", "Postgres")))
            .BuildServiceProvider();

        string message = StartFailure(services);

        Assert.Contains("AgentQuotas:Store:Kind is 'Postgres', but no store of that kind is registered (registered: Memory)", message);
        Assert.Contains("AddAgentQuotasPostgres()", message);
    }

    [Fact]
    public void A_registered_store_kind_is_selected_by_registration_and_can_be_overridden_by_configuration()
    {
        var custom = new InMemoryQuotaStore();
        using (ServiceProvider services = new ServiceCollection()
            .AddAgentQuotas(_files.Section())
            .AddAgentQuotasStore("Custom", _ => custom)
            .BuildServiceProvider())
        {
            Start(services);
            Assert.Same(custom, services.GetRequiredService<QuotaGate>().Store);
        }

        using (ServiceProvider services = new ServiceCollection()
            .AddAgentQuotasStore("Custom", _ => custom)
            .AddAgentQuotas(_files.Section(("Store:Kind", "Memory")))
            .BuildServiceProvider())
        {
            Start(services);
            Assert.NotSame(custom, services.GetRequiredService<QuotaGate>().Store);
        }
    }

    [Fact]
    public void The_path_overload_and_code_configuration_still_work_and_are_validated_on_start()
    {
        var audit = new Audit.InMemoryAuditSink();
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<Audit.IQuotaAuditSink>(audit)
            .AddAgentQuotas(_files.PolicyPath, o => o.ApprovalTimeout = TimeSpan.FromSeconds(3), watchPolicyFile: false)
            .BuildServiceProvider();

        Start(services);
        QuotaGate gate = services.GetRequiredService<QuotaGate>();
        Assert.Same(audit, gate.AuditSink);
        Assert.Equal(TimeSpan.FromSeconds(3), services.GetRequiredService<IOptions<QuotaGateOptions>>().Value.ApprovalTimeout);

        using ServiceProvider bad = new ServiceCollection()
            .AddAgentQuotas(_files.PolicyPath, o => o.DefaultQueueLimit = -1)
            .BuildServiceProvider();
        Assert.Contains("AgentQuotas:Gate:DefaultQueueLimit", StartFailure(bad));
    }
}

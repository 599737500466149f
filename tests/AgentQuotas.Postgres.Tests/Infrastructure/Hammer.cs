using AgentQuotas.Audit;
using AgentQuotas.Policy;

namespace AgentQuotas.Postgres.Tests.Infrastructure;

/// <summary>Gates on separate stores (separate pools), driven by concurrent workers for a fixed number of calls.</summary>
internal sealed class Hammer : IAsyncDisposable
{
    private readonly QuotaTool _tool;

    private Hammer(QuotaPolicy policy, PostgresQuotaStore[] stores, string tenant, string category)
    {
        Stores = stores;
        Gates = stores.Select(s => new QuotaGate(policy, new QuotaGateOptions { Store = s, AuditSink = new InMemoryAuditSink(capacity: 16) })).ToArray();
        Identity = new AgentIdentity(tenant, "load");
        _tool = new QuotaTool("search_kb", category);
    }

    public PostgresQuotaStore[] Stores { get; }

    public QuotaGate[] Gates { get; }

    public AgentIdentity Identity { get; }

    public static async Task<Hammer> StartAsync(string connectionString, QuotaPolicy policy, int hosts, Action<PostgresQuotaStoreOptions>? configure = null,
        string tenant = "acme", string category = "search")
    {
        var stores = new PostgresQuotaStore[hosts];
        for (int i = 0; i < hosts; i++)
        {
            stores[i] = await TestSupport.OpenStoreAsync(connectionString, configure); // each builds its own pool
        }

        return new Hammer(policy, stores, tenant, category);
    }

    /// <summary>Runs <paramref name="workersPerGate"/> workers per gate, each making <paramref name="callsPerWorker"/> calls with the costs given.</summary>
    public async Task<Tally> RunAsync(int workersPerGate, int callsPerWorker, Func<Random, double> cost, int seed = 1)
    {
        var tally = new Tally();
        var workers = new List<Task>();
        for (int g = 0; g < Gates.Length; g++)
        {
            for (int w = 0; w < workersPerGate; w++)
            {
                QuotaGate gate = Gates[g];
                var random = new Random(HashCode.Combine(seed, g, w));
                workers.Add(Task.Run(async () =>
                {
                    for (int i = 0; i < callsPerWorker; i++)
                    {
                        double c = cost(random);
                        QuotaDecision decision = await gate.AcquireAsync(new QuotaRequest(Identity, _tool, c));
                        tally.Add(decision, c);
                    }
                }));
            }
        }

        await Task.WhenAll(workers);
        return tally;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (QuotaGate gate in Gates)
        {
            await gate.DisposeAsync();
        }

        foreach (PostgresQuotaStore store in Stores)
        {
            await store.DisposeAsync();
        }
    }

    /// <summary>Counts decisions by outcome; thread-safe.</summary>
    public sealed class Tally
    {
        private readonly object _lock = new();
        private readonly Dictionary<QuotaReason, int> _reasons = new();
        private readonly List<string> _details = new();

        public int Admitted { get; private set; }

        public decimal AdmittedCost { get; private set; }

        public int Denied { get; private set; }

        public IReadOnlyDictionary<QuotaReason, int> Reasons => _reasons;

        public IReadOnlyList<string> Details => _details;

        public void Add(in QuotaDecision decision, double cost)
        {
            lock (_lock)
            {
                if (decision.IsAdmitted)
                {
                    Admitted++;
                    AdmittedCost += (decimal)cost;
                }
                else
                {
                    Denied++;
                }

                _reasons[decision.Reason] = _reasons.GetValueOrDefault(decision.Reason) + 1;
                if (decision.Detail is string detail && _details.Count < 1000)
                {
                    _details.Add(detail);
                }
            }
        }
    }
}

using AgentQuotas.Audit;
using AgentQuotas.Cli;
using AgentQuotas.Postgres.Tests.Infrastructure;

namespace AgentQuotas.Postgres.Tests;

/// <summary>Reading the audit table back: PostgresAuditReader and the CLI's <c>audit --postgres</c>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditReaderTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await fixture.CreateDatabaseAsync("auditread");
        await using PostgresAuditSink sink = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = _db });
        for (int i = 0; i < 30; i++)
        {
            QuotaAuditRecord r = AuditSinkTests.Record(i, tenant: i < 20 ? "acme" : "globex");
            Assert.True(sink.TryWrite(i % 5 == 0 ? r with { Decision = AuditDecision.Admitted, Reason = QuotaReason.None, Mode = DegradationMode.Full } : r));
        }

        await sink.FlushAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Records_come_back_in_time_order_with_every_field()
    {
        var records = new List<QuotaAuditRecord>();
        await foreach (QuotaAuditRecord r in PostgresAuditReader.ReadAsync(_db))
        {
            records.Add(r);
        }

        Assert.Equal(30, records.Count);
        Assert.Equal(records.OrderBy(r => r.Timestamp), records);
        QuotaAuditRecord third = records[3];
        QuotaAuditRecord expected = AuditSinkTests.Record(3);
        Assert.Equal(expected, third);   // value equality over every field, the UTC offset normalised by the database
    }

    [Fact]
    public async Task Tenant_and_time_filters_run_in_the_database()
    {
        var globex = new List<QuotaAuditRecord>();
        await foreach (QuotaAuditRecord r in PostgresAuditReader.ReadAsync(_db, tenant: "globex", since: AuditSinkTests.Record(25).Timestamp))
        {
            globex.Add(r);
        }

        Assert.Equal(5, globex.Count);
        Assert.All(globex, r => Assert.Equal("globex", r.Tenant));
    }

    [Fact]
    public async Task The_cli_summarises_the_audit_table()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await AgentQuotasCli.RunAsync(["audit", "--postgres", _db], output, error);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(string.Empty, error.ToString());
        Assert.Contains("30 records", output.ToString());
        string acme = output.ToString().Split('\n').First(l => l.Contains("│ acme"));
        string[] cells = acme.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray();
        Assert.Equal("acme", cells[0]);
        Assert.Equal("4", cells[2]);      // admitted: records 0, 5, 10, 15
        Assert.Equal("16", cells[7]);     // denied
    }

    [Fact]
    public async Task A_wrong_schema_and_an_unreachable_server_are_explained()
    {
        var error = new StringWriter();
        int exit = await AgentQuotasCli.RunAsync(["audit", "--postgres", _db, "--schema", "nowhere"], new StringWriter(), error);
        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.Contains("There is no audit table in schema 'nowhere'", error.ToString());

        error = new StringWriter();
        exit = await AgentQuotasCli.RunAsync(["audit", "--postgres", "Host=127.0.0.1;Port=1;Database=x;Username=x;Timeout=3"], new StringWriter(), error);
        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.Contains("Cannot reach PostgreSQL at 127.0.0.1:1", error.ToString());

        error = new StringWriter();
        exit = await AgentQuotasCli.RunAsync(["audit", "--postgres", "Host=localhost;Bogus Keyword=1"], new StringWriter(), error);
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("The connection string is not valid", error.ToString());
    }

    [Fact]
    public async Task A_file_and_a_database_cannot_both_be_the_source()
    {
        var error = new StringWriter();
        int both = await AgentQuotasCli.RunAsync(["audit", "audit.jsonl", "--postgres", _db], new StringWriter(), error);
        Assert.NotEqual(ExitCodes.Success, both);
        Assert.Contains("not both", error.ToString());

        error = new StringWriter();
        int neither = await AgentQuotasCli.RunAsync(["audit"], new StringWriter(), error);
        Assert.NotEqual(ExitCodes.Success, neither);
        Assert.Contains("Give an audit file, or --postgres", error.ToString());
    }
}

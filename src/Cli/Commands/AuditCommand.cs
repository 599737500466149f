using System.CommandLine;
using System.Globalization;
using AgentQuotas.Audit;
using AgentQuotas.Cli.Reporting;
using AgentQuotas.Postgres;
using Spectre.Console;

namespace AgentQuotas.Cli.Commands;

/// <summary><c>agentquotas audit &lt;file.jsonl&gt;</c> or <c>audit --postgres &lt;connection&gt;</c>: summarises an audit trail per tenant.</summary>
internal static class AuditCommand
{
    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var source = new Argument<FileInfo?>("source")
        {
            Description = "An audit file written by JsonLinesAuditSink (one JSON record per line). Omit it and use --postgres to read PostgresAuditSink's table.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var postgres = new Option<string?>("--postgres") { Description = "Read the audit table of PostgresAuditSink instead: an Npgsql connection string." };
        var schema = new Option<string>("--schema") { Description = "Schema of the audit table (with --postgres).", DefaultValueFactory = _ => PostgresSchema.DefaultSchema };
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only records at or after this time (ISO 8601, e.g. 2026-11-21T09:00Z)." };
        var groupBy = new Option<string>("--group-by")
        {
            Description = "tenant (default): one row per tenant; hash: one row per policy version and content hash, to see which policy content decided what.",
            DefaultValueFactory = _ => "tenant",
        };
        groupBy.AcceptOnlyFromAmong("tenant", "hash");
        var command = new Command("audit", "Summarise audit records per tenant: admitted, denied (by reason), degraded (by mode), cost, queue wait.")
        {
            source,
            postgres,
            schema,
            tenant,
            since,
            groupBy,
        };
        command.Validators.Add(result =>
        {
            bool file = result.GetValue(source) is not null;
            bool database = result.GetValue(postgres) is not null;
            if (file == database)
            {
                result.AddError(file
                    ? "Give either an audit file or --postgres <connection string>, not both."
                    : "Give an audit file, or --postgres <connection string> to read the PostgreSQL audit table.");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(
            console,
            error,
            parse.GetValue(source),
            parse.GetValue(postgres),
            parse.GetRequiredValue(schema),
            parse.GetValue(tenant),
            parse.GetValue(since),
            parse.GetRequiredValue(groupBy) == "hash",
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(IAnsiConsole console, TextWriter error, FileInfo? file, string? connectionString, string schema, string? tenant, DateTimeOffset? since,
        bool byHash, CancellationToken cancellationToken)
    {
        AuditSummary summary;
        var hashes = new PolicyHashSummary();
        try
        {
            IAsyncEnumerable<QuotaAuditRecord> records = file is not null
                ? JsonLinesAuditReader.ReadAll(file.FullName).ToAsyncEnumerable()
                : PostgresAuditReader.ReadAsync(connectionString!, schema, tenant, since, cancellationToken);
            summary = await AuditSummary.FromAsync(Filter(records, tenant, since, hashes), cancellationToken).ConfigureAwait(false);
        }
        catch (AuditFormatException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (FormatException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (PostgresStoreException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.Unavailable;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"Cannot read '{file?.FullName}': {e.Message}");
            return ExitCodes.Unavailable;
        }

        if (byHash)
        {
            PrintByHash(console, hashes);
        }
        else
        {
            Print(console, summary);
        }

        return ExitCodes.Success;
    }

    // The tenant and time filters of a file (the database applies them in its query), feeding the hash groups on the way.
    private static async IAsyncEnumerable<QuotaAuditRecord> Filter(IAsyncEnumerable<QuotaAuditRecord> records, string? tenant, DateTimeOffset? since, PolicyHashSummary hashes)
    {
        await foreach (QuotaAuditRecord record in records.ConfigureAwait(false))
        {
            if ((tenant is null || record.Tenant == tenant) && (since is null || record.Timestamp >= since))
            {
                hashes.Add(record);
                yield return record;
            }
        }
    }

    internal static void PrintByHash(IAnsiConsole console, PolicyHashSummary summary)
    {
        if (summary.Records == 0)
        {
            console.MarkupLine("no audit records matched");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("policy version").AddColumn("sha256").AddColumn("records", c => c.RightAligned()).AddColumn("admitted", c => c.RightAligned())
            .AddColumn("denied", c => c.RightAligned()).AddColumn("tenants", c => c.RightAligned()).AddColumn("first").AddColumn("last");
        foreach (PolicyHashGroup g in summary.Groups)
        {
            table.AddRow(Markup.Escape(g.Version), Markup.Escape(g.Hash), N(g.Records), N(g.Admitted), N(g.Denied), N(g.Tenants),
                g.First.ToString("u", CultureInfo.InvariantCulture), g.Last.ToString("u", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        foreach (IGrouping<string, PolicyHashGroup> edited in summary.Groups.GroupBy(g => g.Version, StringComparer.Ordinal).Where(v => v.Count() > 1))
        {
            console.MarkupLineInterpolated($"[yellow]policy version {edited.Key} decided with {edited.Count()} different contents[/]");
        }
    }

    internal static void Print(IAnsiConsole console, AuditSummary summary)
    {
        if (summary.Records == 0)
        {
            console.MarkupLine("no audit records matched");
            return;
        }

        console.MarkupLineInterpolated(
            $"{summary.Records} records from {summary.First:u} to {summary.Last:u}; policy version(s): {string.Join(", ", summary.PolicyVersions)}");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("tenant").AddColumn("principals", c => c.RightAligned()).AddColumn("admitted", c => c.RightAligned())
            .AddColumn("completed", c => c.RightAligned()).AddColumn("failed", c => c.RightAligned()).AddColumn("queued", c => c.RightAligned())
            .AddColumn("degraded", c => c.RightAligned()).AddColumn("denied", c => c.RightAligned()).AddColumn("cost", c => c.RightAligned())
            .AddColumn("queue p50/p95", c => c.RightAligned()).AddColumn("anomalies", c => c.RightAligned());
        foreach (TenantSummary t in summary.Tenants)
        {
            table.AddRow(
                Markup.Escape(t.Tenant),
                N(t.Principals.Count),
                N(t.Admitted),
                N(t.Completed),
                N(t.Failed),
                N(t.Queued),
                N(t.Degraded),
                N(t.Denied),
                t.Cost.ToString("#,0.##", CultureInfo.InvariantCulture),
                t.Queued == 0 && t.QueueWaitPercentile(0.5) == 0 ? "-" : $"{t.QueueWaitPercentile(0.5):0.###} s / {t.QueueWaitPercentile(0.95):0.###} s",
                N(t.Anomalies));
        }

        console.Write(table);
        foreach (TenantSummary t in summary.Tenants.Where(t => t.Denied + t.Degraded > 0))
        {
            string reasons = string.Join(", ", t.DenialReasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} x{r.Value}"));
            string modes = string.Join(", ", t.DegradedModes.OrderByDescending(m => m.Value).Select(m => $"{m.Key} x{m.Value}"));
            console.MarkupLineInterpolated($"{t.Tenant}: denied [[{reasons}]] degraded [[{modes}]]");
        }
    }

    private static string N(int value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}

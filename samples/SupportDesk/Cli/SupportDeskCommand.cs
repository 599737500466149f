using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AgentQuotas.Policy;
using AgentQuotas.Postgres;
using Spectre.Console;
using SupportDesk.Hosting;
using SupportDesk.Reporting;
using SupportDesk.Workload;

namespace SupportDesk.Cli;

/// <summary>The command line of the SupportDesk sample: options, live progress, the report.</summary>
public static class SupportDeskCommand
{
    // Virtual seconds per wall second in the live view: the default three minutes play in six seconds.
    private const double LivePace = 30;

    /// <summary>Parses <paramref name="args"/>, runs the sample and prints its report.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Where progress and the report go.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="cancellationToken">Ends the traffic early (Ctrl+C); the run still drains and reports.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var duration = new Option<TimeSpan?>("--duration")
        {
            Description = "How long tenants send conversations: 90s, 2m or 00:02:00. Default: 3 minutes of simulated time with the " +
                "memory store (takes a few seconds), 20 seconds of real time with --store postgres (the database's clock is real).",
            HelpName = "time",
            CustomParser = DurationParser.Parse,
        };
        var tenants = new Option<int>("--tenants")
        {
            Description = $"How many tenants, 1 to {TenantCatalog.MaxTenants}. The first six are one of each kind (enterprise, standard, Batch, free, noisy, runaway).",
            DefaultValueFactory = _ => 6,
        };
        tenants.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value is < 1 or > TenantCatalog.MaxTenants)
            {
                result.AddError($"--tenants must be 1 to {TenantCatalog.MaxTenants}, not {value}.");
            }
        });
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the workload. With the memory store the same seed always gives the same report.",
            DefaultValueFactory = _ => 42,
        };
        var store = new Option<string>("--store")
        {
            Description = "Where buckets live: memory (virtual time, deterministic) or postgres (needs --connection; real time).",
            DefaultValueFactory = _ => "memory",
        };
        store.AcceptOnlyFromAmong("memory", "postgres");
        var connection = new Option<string?>("--connection")
        {
            Description = "Npgsql connection string for --store postgres, e.g. \"Host=localhost;Username=postgres;Password=...;Database=postgres\".",
        };
        var audit = new Option<FileInfo?>("--audit")
        {
            Description = "Also write every decision to this file as JSON lines (summarise it with: agentquotas audit <file>).",
            HelpName = "file",
        };
        var noLive = new Option<bool>("--no-live")
        {
            Description = "Print plain progress lines instead of the live table (the default when output is redirected).",
        };

        var root = new RootCommand(
            "AgentQuotas SupportDesk: a multi-tenant support agent whose tools are guarded by generated code, run offline against a " +
            "scripted model. Prints live progress, then what the gate admitted, queued, degraded and denied per tenant and class.")
        {
            duration, tenants, seed, store, connection, audit, noLive,
        };
        root.Validators.Add(result =>
        {
            // An option that did not parse has already reported its error; check the combinations of the others.
            if (!TryGetValue(result, store, out string? storeName) || !TryGetValue<string?>(result, connection, out string? connectionString) ||
                !TryGetValue(result, duration, out TimeSpan? requested))
            {
                return;
            }

            bool postgres = storeName == "postgres";
            if (postgres && string.IsNullOrWhiteSpace(connectionString))
            {
                result.AddError("--store postgres needs --connection \"Host=...;Username=...;Password=...;Database=...\".");
            }
            else if (!postgres && connectionString is not null)
            {
                result.AddError("--connection only applies to --store postgres.");
            }

            TimeSpan max = postgres ? SupportDeskOptions.MaxPostgresDuration : SupportDeskOptions.MaxMemoryDuration;
            if (requested is TimeSpan d && d > max)
            {
                result.AddError($"--duration must be at most {max:g} with --store {(postgres ? "postgres" : "memory")}, not {d:g}.");
            }
        });

        root.SetAction((parse, token) =>
        {
            var options = new SupportDeskOptions
            {
                Duration = parse.GetValue(duration),
                Tenants = parse.GetValue(tenants),
                Seed = parse.GetValue(seed),
                Store = parse.GetValue(store) == "postgres" ? SupportDeskStore.Postgres : SupportDeskStore.Memory,
                ConnectionString = parse.GetValue(connection),
                AuditFile = parse.GetValue(audit)?.FullName,
            };
            return RunAsync(options, output, error, live: !parse.GetValue(noLive), token);
        });

        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    private static bool TryGetValue<T>(System.CommandLine.Parsing.CommandResult result, Option<T> option, out T? value)
    {
        try
        {
            value = result.GetValue(option);
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default; // its own error is reported
            return false;
        }
    }

    private static async Task<int> RunAsync(SupportDeskOptions options, TextWriter output, TextWriter error, bool live, CancellationToken cancellationToken)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 200; // redirected output has no width to detect; do not wrap the tables at 80
        }

        live &= terminal && console.Profile.Capabilities.Interactive;
        bool postgres = options.Store == SupportDeskStore.Postgres;
        options.ProgressInterval = live ? TimeSpan.FromSeconds(postgres ? 1 : 2) : TimeSpan.FromSeconds(postgres ? 5 : 30);
        options.Pace = live && !postgres ? LivePace : null; // slow enough to watch; redirected output runs flat out
        WriteIntro(console, options);

        var watch = Stopwatch.StartNew();
        SupportDeskReport report;
        try
        {
            if (live)
            {
                Table table = ProgressView.NewLiveTable();
                SupportDeskReport? result = null;
                await console.Live(table).StartAsync(async context =>
                {
                    result = await SupportDeskRunner.RunAsync(options, snapshot =>
                    {
                        ProgressView.Update(table, snapshot);
                        context.Refresh();
                    }, cancellationToken);
                });
                report = result!;
            }
            else
            {
                report = await SupportDeskRunner.RunAsync(options, snapshot => console.WriteLine(ProgressView.Line(snapshot)), cancellationToken);
            }
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (PolicyValidationException e)
        {
            await error.WriteLineAsync(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (PostgresStoreException e)
        {
            await error.WriteLineAsync(e.Message);
            return ExitCodes.Unavailable;
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && options.AuditFile is not null)
        {
            await error.WriteLineAsync($"Cannot write the audit file '{options.AuditFile}': {e.Message}");
            return ExitCodes.Unavailable;
        }

        ReportRenderer.Write(console, report);
        console.WriteLine();
        string interrupted = cancellationToken.IsCancellationRequested ? " (interrupted: the traffic stopped early)" : string.Empty;
        string again = report.VirtualTime ? $" Same seed, same report: dotnet run --project samples/SupportDesk -- --seed {report.Seed}" : string.Empty;
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Done in {watch.Elapsed.TotalSeconds:0.0} s of wall time{interrupted}.{again}")));
        return ExitCodes.Success;
    }

    private static void WriteIntro(IAnsiConsole console, SupportDeskOptions options)
    {
        bool postgres = options.Store == SupportDeskStore.Postgres;
        string where = postgres ? "in real time on PostgreSQL" : "in simulated time (memory store)";
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"AgentQuotas SupportDesk: {options.Tenants} tenants, {options.EffectiveDuration:g} of traffic {where}, seed {options.Seed}.")));
        console.MarkupLine("[grey]Every tool call below goes through code the AgentQuotas generator wrote around the annotated tools; the model is scripted and offline.[/]");
        var table = new Table().Border(TableBorder.Simple).AddColumn("tenant").AddColumn("sends").AddColumn("what it is");
        foreach (TenantProfile profile in TenantCatalog.Take(options.Tenants))
        {
            string classes = string.Join(", ", profile.Mix.Select(m => m.Class).Distinct());
            table.AddRow(Markup.Escape(profile.Tenant), classes, Markup.Escape(profile.Role));
        }

        console.Write(table);
    }
}

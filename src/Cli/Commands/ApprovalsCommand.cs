using System.CommandLine;
using System.Globalization;
using AgentQuotas.Postgres;
using Spectre.Console;

namespace AgentQuotas.Cli.Commands;

/// <summary>
/// <c>agentquotas approvals list|approve|deny --postgres &lt;connection&gt;</c>: the operator's side of approvals that can be
/// granted (issue 17): lists pending approvals, approves or denies one as a named operator. The call resumes on its own
/// host (once) when its caller calls again with the approval.
/// </summary>
internal static class ApprovalsCommand
{
    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var command = new Command("approvals", "List, approve or deny privileged calls waiting for approval (the PostgreSQL pending_approvals table).")
        {
            CreateList(console, error),
            CreateDecide(console, error, approve: true),
            CreateDecide(console, error, approve: false),
        };
        return command;
    }

    private static (Option<string> Postgres, Option<string> Schema) StoreOptions() => (
        new Option<string>("--postgres") { Description = "An Npgsql connection string to the database holding the approvals.", Required = true },
        new Option<string>("--schema") { Description = "The AgentQuotas schema.", DefaultValueFactory = _ => PostgresSchema.DefaultSchema });

    private static Command CreateList(IAnsiConsole console, TextWriter error)
    {
        (Option<string> postgres, Option<string> schema) = StoreOptions();
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's approvals." };
        var all = new Option<bool>("--all") { Description = "Also approvals already decided or used (default: pending only)." };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-10000).", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List pending approvals, oldest first: id, tenant, principal, tool, arguments digest, cost, expiry, state.")
        {
            postgres,
            schema,
            tenant,
            all,
            limit,
        };
        command.SetAction((parse, cancellationToken) => ListAsync(console, error, parse.GetRequiredValue(postgres), parse.GetRequiredValue(schema),
            parse.GetValue(tenant), parse.GetValue(all), parse.GetValue(limit), cancellationToken));
        return command;
    }

    private static Command CreateDecide(IAnsiConsole console, TextWriter error, bool approve)
    {
        (Option<string> postgres, Option<string> schema) = StoreOptions();
        var id = new Argument<string>("id") { Description = "The approval id (from 'approvals list' or the refused call's handle)." };
        var who = new Option<string>("--operator") { Description = "Who decides: recorded on the approval and in the audit record of the call it admits.", Required = true };
        var reason = new Option<string?>("--reason") { Description = approve ? "Why, optionally." : "Why (shown to the caller).", Required = !approve };
        var command = new Command(approve ? "approve" : "deny",
            approve ? "Approve a pending call: its caller may then run it once, with the same arguments, before it expires."
                    : "Deny a pending call: it never runs.")
        {
            id,
            postgres,
            schema,
            who,
            reason,
        };
        command.SetAction((parse, cancellationToken) => DecideAsync(console, error, approve, parse.GetRequiredValue(postgres), parse.GetRequiredValue(schema),
            parse.GetRequiredValue(id), parse.GetRequiredValue(who), parse.GetValue(reason), cancellationToken));
        return command;
    }

    private static async Task<int> ListAsync(IAnsiConsole console, TextWriter error, string connectionString, string schema, string? tenant, bool all, int limit,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 10_000)
        {
            error.WriteLine($"--limit must be between 1 and 10000; got {limit}.");
            return ExitCodes.InvalidInput;
        }

        IReadOnlyList<PendingApproval> approvals;
        try
        {
            await using var store = new PostgresPendingApprovalStore(connectionString, schema);
            approvals = await store.ListAsync(tenant, all, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (PostgresStoreException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.Unavailable;
        }

        if (approvals.Count == 0)
        {
            console.WriteLine(all ? "no approvals" : "no pending approvals");
            return ExitCodes.Success;
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        var table = new Table().AddColumns("id", "tenant", "principal", "tool", "arguments", "cost", "requested", "expires", "state", "decided by");
        foreach (PendingApproval a in approvals)
        {
            string state = a.State == PendingApprovalState.Pending && a.IsExpiredAt(now) ? "Expired" : a.State.ToString();
            table.AddRow(
                Markup.Escape(a.Id), Markup.Escape(a.Tenant), Markup.Escape(a.Principal), Markup.Escape(a.Tool),
                a.ArgumentsDigest.Length == 0 ? "(none)" : a.ArgumentsDigest[..12],
                a.Cost.ToString("0.###", CultureInfo.InvariantCulture),
                a.RequestedAt.ToString("u", CultureInfo.InvariantCulture), a.ExpiresAt.ToString("u", CultureInfo.InvariantCulture),
                state, Markup.Escape(a.DecidedBy ?? string.Empty));
        }

        console.Write(table);
        return ExitCodes.Success;
    }

    private static async Task<int> DecideAsync(IAnsiConsole console, TextWriter error, bool approve, string connectionString, string schema, string id,
        string operatorId, string? reason, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(operatorId) || (!approve && string.IsNullOrWhiteSpace(reason)))
        {
            error.WriteLine(string.IsNullOrWhiteSpace(operatorId) ? "--operator must name who decides." : "--reason must say why the call is denied.");
            return ExitCodes.InvalidInput;
        }

        ApprovalTransition result;
        try
        {
            await using var store = new PostgresPendingApprovalStore(connectionString, schema);
            result = await store.DecideAsync(id, approve, operatorId, reason, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (PostgresStoreException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.Unavailable;
        }

        PendingApproval? a = result.Approval;
        switch (result.Outcome)
        {
            case ApprovalTransitionOutcome.Applied:
                console.MarkupLineInterpolated(
                    $"{(approve ? "approved" : "denied")} {a!.Id}: {a.Tool} for {a.Tenant}/{a.Principal} as {operatorId}; {(approve ? $"the call may run once before {a.ExpiresAt:u}" : "it will not run")}");
                return ExitCodes.Success;
            case ApprovalTransitionOutcome.NotFound:
                error.WriteLine($"There is no approval '{id}'.");
                return ExitCodes.InvalidInput;
            case ApprovalTransitionOutcome.Expired:
                error.WriteLine($"Approval '{id}' expired at {a!.ExpiresAt:u}; it can no longer be decided. The caller must ask again.");
                return ExitCodes.InvalidInput;
            default:
                error.WriteLine($"Approval '{id}' is already {a!.State.ToString().ToLowerInvariant()}{(a.DecidedBy is null ? string.Empty : " by " + a.DecidedBy)}; nothing changed.");
                return ExitCodes.InvalidInput;
        }
    }
}

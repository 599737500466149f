using System.CommandLine;
using AgentQuotas.Policy;
using AgentQuotas.Trust;
using Spectre.Console;

namespace AgentQuotas.Cli.Commands;

/// <summary>
/// <c>agentquotas revoke|unrevoke &lt;file&gt; --tenant &lt;id&gt; [--principal &lt;id&gt;]</c>: edits a revocation file
/// (the list a gate reads through <see cref="RevocationFile"/>) atomically.
/// </summary>
internal static class RevokeCommand
{
    public static Command Create(IAnsiConsole console, TextWriter error, bool revoke)
    {
        var file = new Argument<FileInfo>("file") { Description = "The revocation file (created when missing), e.g. revoked.json." };
        var tenant = new Option<string>("--tenant") { Description = "The tenant id.", Required = true };
        var principal = new Option<string?>("--principal") { Description = "One principal of the tenant; without it, the whole tenant." };
        var command = new Command(
            revoke ? "revoke" : "unrevoke",
            revoke
                ? "Refuse a tenant, or one principal of a tenant, from the next reload of the revocation file on (reason Revoked)."
                : "Take a tenant, or one principal of a tenant, off the revocation file.")
        {
            file,
            tenant,
            principal,
        };
        command.SetAction(parse => Run(console, error, revoke, parse.GetRequiredValue(file), parse.GetRequiredValue(tenant), parse.GetValue(principal)));
        return command;
    }

    private static int Run(IAnsiConsole console, TextWriter error, bool revoke, FileInfo file, string tenant, string? principal)
    {
        RevocationList list;
        try
        {
            list = RevocationList.Load(file.FullName);
        }
        catch (PolicyValidationException e)
        {
            foreach (PolicyError e2 in e.Errors)
            {
                error.WriteLine($"{file.FullName}({e2.Line},{e2.Column}): error: {e2.Kind} at {e2.Path}: {e2.Message}");
            }

            error.WriteLine("The revocation file is invalid; it was not changed.");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"Cannot read '{file.FullName}': {e.Message}");
            return ExitCodes.Unavailable;
        }

        string who = principal is null ? $"tenant '{tenant}'" : $"principal '{principal}' of tenant '{tenant}'";
        bool listed = principal is null ? list.IsTenantRevoked(tenant) : list.Principals.TryGetValue(tenant, out var set) && set.Contains(principal);
        if (listed == revoke)
        {
            console.MarkupLineInterpolated($"{who} is already {(revoke ? "revoked" : "not revoked")} in {file.FullName}; nothing changed");
            return ExitCodes.Success;
        }

        try
        {
            RevocationList next = revoke ? list.With(tenant, principal) : list.Without(tenant, principal);
            RevocationFile.Write(file.FullName, next);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"Cannot write '{file.FullName}': {e.Message}");
            return ExitCodes.Unavailable;
        }

        console.MarkupLineInterpolated($"{(revoke ? "revoked" : "unrevoked")} {who} in {file.FullName}; gates apply it when they reload the file (RevocationFile.Reload)");
        if (!revoke && principal is null && list.Principals.ContainsKey(tenant))
        {
            console.MarkupLineInterpolated($"[yellow]principals of tenant '{tenant}' listed one by one stay revoked[/]");
        }

        return ExitCodes.Success;
    }
}

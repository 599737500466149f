using System.CommandLine;
using AgentQuotas.Cli.Commands;
using Spectre.Console;

namespace AgentQuotas.Cli;

/// <summary>The agentquotas command line: <c>check</c>, <c>simulate</c>, <c>audit</c>, <c>revoke</c>, <c>unrevoke</c>, <c>dashboard</c> and <c>approvals</c>.</summary>
public static class AgentQuotasCli
{
    /// <summary>Parses and runs a command line, writing to the given writers.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="cancellationToken">Stops a long command.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        IAnsiConsole console = CreateConsole(output);
        var root = new RootCommand("AgentQuotas: validate quota policies, simulate fairness under load, summarise audit trails.")
        {
            CheckCommand.Create(console, error),
            SimulateCommand.Create(console, error),
            AuditCommand.Create(console, error),
            RevokeCommand.Create(console, error, revoke: true),
            RevokeCommand.Create(console, error, revoke: false),
            DashboardCommand.Create(console, error),
            ApprovalsCommand.Create(console, error),
        };

        ParseResult parsed = root.Parse(args);
        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    private static IAnsiConsole CreateConsole(TextWriter output)
    {
        bool isTerminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!isTerminal)
        {
            // Redirected output (files, pipes, tests) has no width to detect; do not wrap tables at 80.
            console.Profile.Width = 200;
        }

        return console;
    }
}

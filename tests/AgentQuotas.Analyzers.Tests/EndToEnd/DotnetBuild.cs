using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentQuotas.Analyzers.Tests.EndToEnd;

/// <summary>
/// Runs <c>dotnet build</c> on a project as a child process, the way a developer would. The project's
/// references (runtime, analyzers) are already built by this test project, in the same configuration, so the
/// build uses them as they are (<c>--no-dependencies</c>) instead of rebuilding shared outputs.
/// </summary>
internal static partial class DotnetBuild
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static async Task<BuildResult> RunAsync(string project)
    {
        string configuration = typeof(DotnetBuild).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(project)!,
        };
        foreach (string argument in new[]
        {
            "build", project, "--configuration", configuration, "--no-dependencies", "-nologo",
            "-nodeReuse:false", "-p:UseSharedCompilation=false", "-consoleLoggerParameters:NoSummary",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // Variables the test host's own dotnet may have set would point MSBuild at its state; start clean.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet build {project} did not finish within {Timeout}:\n{output}");
        }

        process.WaitForExit(); // drain the output
        string text = output.ToString();
        string[] errorLines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => ErrorPattern().IsMatch(l)).Distinct().ToArray();
        string[] ids = errorLines.Select(l => ErrorPattern().Match(l).Groups["id"].Value).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new BuildResult(process.ExitCode, ids, errorLines, text);
    }

    [GeneratedRegex(@":\s*error\s+(?<id>[A-Za-z]+\d+)\s*:")]
    private static partial Regex ErrorPattern();
}

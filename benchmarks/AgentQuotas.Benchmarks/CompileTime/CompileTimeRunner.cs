using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentQuotas.Benchmarks.CompileTime;

/// <summary>
/// <c>compile-time [--project stress|realistic] [--runs N] [--full-only] [--keep] [--no-server]</c>: writes <see cref="SyntheticProject"/>
/// (stress, the default: 2,000 tools, 20,000 call sites) or <see cref="RealisticProject"/> (70 tools, 200 call sites,
/// 10 agent loops, framework registrations) to a temp directory and times <c>dotnet build</c> of it with and without the AgentQuotas
/// generator and analyzers: full builds (obj and bin removed first) and incremental builds after a
/// one-line edit, each N times (default 5), alternating the two variants. Builds run with
/// <c>-p:ReportAnalyzer=true</c> and the compiler's time per analyzer and generator is read from the build
/// output, with the Csc task's time from MSBuild's performance summary. Prints markdown tables.
/// Builds use the compiler server (<c>-p:UseSharedCompilation=true</c>), as a developer's edit-build loop
/// and most CI builds do, so the compiler, the generator and the analyzers run JIT-compiled and warm;
/// <c>--no-server</c> runs every build in a fresh compiler process instead (cold JIT for the generator and
/// analyzers on every build).
/// </summary>
public static partial class CompileTimeRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        int runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(5);
        bool keep = args.Contains("--keep");
        bool server = !args.Contains("--no-server");
        bool edits = !args.Contains("--full-only");
        Shape shape = args.SkipWhile(a => a != "--project").Skip(1).FirstOrDefault("stress") switch
        {
            "stress" => new Shape("stress", SyntheticProject.WriteTo, SyntheticProject.EditedFile, SyntheticProject.EditedText,
                $"{SyntheticProject.Tools:N0} tools, {SyntheticProject.CallSites:N0} call sites"),
            "realistic" => new Shape("realistic", RealisticProject.WriteTo, RealisticProject.EditedFile, RealisticProject.EditedText,
                $"{RealisticProject.Tools:N0} tools, {RealisticProject.CallSites:N0} direct call sites, {RealisticProject.Agents} agent loops, framework registrations"),
            string other => throw new ArgumentException($"unknown project '{other}': stress or realistic"),
        };
        string repo = FindRepositoryRoot();
        Console.WriteLine($"Building the runtime, generator and analyzers (Release) in {repo} ...");
        foreach (string project in new[] { "src/Runtime/AgentQuotas.csproj", "src/Generators/AgentQuotas.Generators.csproj", "src/Analyzers/AgentQuotas.Analyzers.csproj" })
        {
            await DotnetAsync(repo, $"build -c Release \"{project}\"", mustSucceed: true);
        }

        string directory = Path.Combine(Path.GetTempPath(), "aq-compiletime-" + Guid.NewGuid().ToString("N")[..8]);
        shape.WriteTo(directory,
            Path.Combine(repo, "src/Runtime/bin/Release/net10.0/AgentQuotas.dll"),
            Path.Combine(repo, "src/Generators/bin/Release/netstandard2.0/AgentQuotas.Generators.dll"),
            Path.Combine(repo, "src/Analyzers/bin/Release/netstandard2.0/AgentQuotas.Analyzers.dll"));
        int lines = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories).Sum(f => File.ReadAllLines(f).Length);
        Console.WriteLine($"Synthetic project ({shape.Name}): {shape.Description}, {lines:N0} lines of C# in {directory}");
        try
        {
            await DotnetAsync(directory, "restore", mustSucceed: true);

            // Warm-up: the compiler server and MSBuild nodes, for both variants (not measured).
            foreach (bool with in new[] { false, true })
            {
                Clean(directory);
                await BuildAsync(directory, with, server);
            }

            var full = new Dictionary<bool, List<BuildTiming>> { [false] = [], [true] = [] };
            var incremental = new Dictionary<(bool With, SyntheticProject.EditKind Edit), List<BuildTiming>>();
            string edited = Path.Combine(directory, shape.EditedFile);
            string original = shape.EditedText(SyntheticProject.EditKind.None);
            for (int run = 0; run < runs; run++)
            {
                foreach (bool with in run % 2 == 0 ? new[] { false, true } : new[] { true, false })
                {
                    Clean(directory);
                    File.WriteAllText(edited, original);
                    full[with].Add(await BuildAsync(directory, with, server));
                    Console.WriteLine($"  full build {(with ? "with" : "without")} AgentQuotas: {full[with][^1]}");

                    // One-line edits on top of the full build: each is an incremental build of the whole project.
                    foreach (SyntheticProject.EditKind edit in edits ? new[] { SyntheticProject.EditKind.SameLength, SyntheticProject.EditKind.AddedLine } : Array.Empty<SyntheticProject.EditKind>())
                    {
                        File.WriteAllText(edited, shape.EditedText(edit));
                        BuildTiming timing = await BuildAsync(directory, with, server);
                        (incremental.TryGetValue((with, edit), out List<BuildTiming>? list) ? list : incremental[(with, edit)] = []).Add(timing);
                        Console.WriteLine($"  after a one-line edit ({edit}) {(with ? "with" : "without")} AgentQuotas: {timing}");
                        File.WriteAllText(edited, original);
                        await BuildAsync(directory, with, server); // back to the original, not measured
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine(Report(runs, server, shape, full, incremental));
            return 0;
        }
        finally
        {
            if (server)
            {
                await DotnetAsync(directory, "build-server shutdown", mustSucceed: false);
            }

            if (!keep)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static string Report(int runs, bool server, Shape shape, Dictionary<bool, List<BuildTiming>> full, Dictionary<(bool With, SyntheticProject.EditKind Edit), List<BuildTiming>> incremental)
    {
        var text = new StringBuilder();
        BuildTiming without = BuildTiming.Median(full[false]);
        BuildTiming with = BuildTiming.Median(full[true]);
        text.AppendLine(CultureInfo.InvariantCulture, $"Full build (obj and bin removed), median of {runs}, compiler server {(server ? "on (warm)" : "off (a fresh compiler process per build)")}:");
        text.AppendLine();
        text.AppendLine("| variant | `dotnet build` wall time | Csc task | analyzers (ReportAnalyzer) | generators (ReportAnalyzer) |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| without generator and analyzers | {without.Wall.TotalSeconds:0.00} s | {without.Csc.TotalSeconds:0.00} s | - | - |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| with generator and analyzers | {with.Wall.TotalSeconds:0.00} s | {with.Csc.TotalSeconds:0.00} s | {with.Analyzers.TotalSeconds:0.00} s | {with.Generators.TotalSeconds:0.00} s |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| added | {Added(with.Wall, without.Wall)} | {Added(with.Csc, without.Csc)} | | |");
        text.AppendLine();
        text.AppendLine("Time per analyzer and generator in the full build with AgentQuotas (ReportAnalyzer, median; share: of all AgentQuotas analyzers' time, generator excluded):");
        text.AppendLine();
        text.AppendLine("| analyzer or generator | time | share |");
        text.AppendLine("|---|---:|---:|");
        var medians = full[true].SelectMany(t => t.PerAnalyzer.Keys).Distinct().Order(StringComparer.Ordinal)
            .ToDictionary(name => name, name => Median(full[true].Select(t => t.PerAnalyzer.TryGetValue(name, out double s) ? s : 0)));
        static bool IsRule(string name) => !name.Contains("Generator", StringComparison.Ordinal) && !name.Contains(", Version=", StringComparison.Ordinal);
        double analyzerTotal = medians.Where(m => IsRule(m.Key)).Sum(m => m.Value);
        foreach ((string name, double median) in medians)
        {
            string share = !IsRule(name) || analyzerTotal <= 0 ? "-" : (median / analyzerTotal).ToString("P0", CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {median:0.000} s | {share} |");
        }

        if (incremental.Count == 0)
        {
            return text.ToString();
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Incremental build after a one-line edit of {shape.EditedFile}, median of {runs}:");
        text.AppendLine();
        text.AppendLine("| edit | variant | `dotnet build` wall time | Csc task | generators (ReportAnalyzer) |");
        text.AppendLine("|---|---|---:|---:|---:|");
        foreach (SyntheticProject.EditKind edit in new[] { SyntheticProject.EditKind.SameLength, SyntheticProject.EditKind.AddedLine })
        {
            foreach (bool variant in new[] { false, true })
            {
                BuildTiming t = BuildTiming.Median(incremental[(variant, edit)]);
                text.AppendLine(CultureInfo.InvariantCulture, $"| {edit} | {(variant ? "with" : "without")} | {t.Wall.TotalSeconds:0.00} s | {t.Csc.TotalSeconds:0.00} s | {(variant ? t.Generators.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "-")} |");
            }
        }

        return text.ToString();
    }

    private static string Added(TimeSpan with, TimeSpan without) =>
        string.Create(CultureInfo.InvariantCulture, $"+{(with - without).TotalSeconds:0.00} s ({(with.TotalSeconds / without.TotalSeconds - 1) * 100:0.0} %)");

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    private static void Clean(string directory)
    {
        foreach (string sub in new[] { "bin", Path.Combine("obj", "Release") })
        {
            string path = Path.Combine(directory, sub);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    private static async Task<BuildTiming> BuildAsync(string directory, bool with, bool server)
    {
        var watch = Stopwatch.StartNew();
        string output = await DotnetAsync(directory,
            $"build -c Release --no-restore -nologo -p:WithAgentQuotas={(with ? "true" : "false")} -p:UseSharedCompilation={(server ? "true" : "false")} -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary",
            mustSucceed: true);
        watch.Stop();
        return BuildTiming.Parse(watch.Elapsed, output);
    }

    private static async Task<string> DotnetAsync(string directory, string arguments, bool mustSucceed)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "0";
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout + await stderr;
        if (mustSucceed && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'dotnet {arguments}' in {directory} failed ({process.ExitCode}):\n{Tail(output)}");
        }

        return output;
    }

    private static string Tail(string text) => text.Length <= 8000 ? text : text[^8000..];

    private static string FindRepositoryRoot()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "Directory.Packages.props")) && Directory.Exists(Path.Combine(d, "src", "Generators")))
            {
                return d;
            }
        }

        throw new InvalidOperationException("Run from the repository's build output: the repository root was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A generated project to time: how to write it, and which file the one-line edits change.</summary>
    private sealed record Shape(string Name, Action<string, string, string, string> WriteTo, string EditedFile, Func<SyntheticProject.EditKind, string> EditedText, string Description);

    /// <summary>One timed build.</summary>
    internal sealed partial record BuildTiming(TimeSpan Wall, TimeSpan Csc, TimeSpan Analyzers, TimeSpan Generators, IReadOnlyDictionary<string, double> PerAnalyzer)
    {
        public static BuildTiming Parse(TimeSpan wall, string output)
        {
            // MSBuild's task performance summary: "     1234 ms  Csc    1 calls".
            Match csc = CscTask().Match(output);
            TimeSpan cscTime = csc.Success ? TimeSpan.FromMilliseconds(double.Parse(csc.Groups[1].Value, CultureInfo.InvariantCulture)) : TimeSpan.Zero;

            // ReportAnalyzer: "Total analyzer execution time: 1.234 seconds." then one line per assembly and
            // per analyzer; likewise for generators.
            TimeSpan analyzers = Total(output, "Total analyzer execution time");
            TimeSpan generators = Total(output, "Total generator execution time");
            var perAnalyzer = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (Match m in AnalyzerLine().Matches(output))
            {
                string name = m.Groups[3].Value.Trim();
                if (name.StartsWith("AgentQuotas", StringComparison.Ordinal))
                {
                    perAnalyzer[name] = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                }
            }

            return new BuildTiming(wall, cscTime, analyzers, generators, perAnalyzer);
        }

        public static BuildTiming Median(List<BuildTiming> timings)
        {
            static TimeSpan Mid(IEnumerable<TimeSpan> values)
            {
                TimeSpan[] sorted = values.Order().ToArray();
                return sorted[sorted.Length / 2];
            }

            return new BuildTiming(Mid(timings.Select(t => t.Wall)), Mid(timings.Select(t => t.Csc)), Mid(timings.Select(t => t.Analyzers)),
                Mid(timings.Select(t => t.Generators)), timings[timings.Count / 2].PerAnalyzer);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"wall {Wall.TotalSeconds:0.00} s, Csc {Csc.TotalSeconds:0.00} s, analyzers {Analyzers.TotalSeconds:0.00} s, generators {Generators.TotalSeconds:0.00} s");

        private static TimeSpan Total(string output, string label)
        {
            Match m = Regex.Match(output, Regex.Escape(label) + @":\s*([0-9.,]+)\s*seconds");
            return m.Success ? TimeSpan.FromSeconds(double.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)) : TimeSpan.Zero;
        }

        [GeneratedRegex(@"^\s*([0-9]+)\s+ms\s+Csc\s+\d+\s+calls", RegexOptions.Multiline)]
        private static partial Regex CscTask();

        // "   0.123   12   AgentQuotas.Analyzers.Rules.MissingBudgetAnalyzer (AQ0001)"
        [GeneratedRegex(@"^\s*([0-9]+\.[0-9]+)\s+(<?[0-9]+%?)\s+(\S.*)$", RegexOptions.Multiline)]
        private static partial Regex AnalyzerLine();
    }
}

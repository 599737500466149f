// Time per analyzer, in process, on the compile-time benchmark's generated projects (docs/benchmarks.md 6.4).
//
//   generate <dir> <AgentQuotas.dll> <AgentQuotas.Generators.dll> <AgentQuotas.Analyzers.dll>
//       writes <dir>/realistic and <dir>/stress (RealisticProject, SyntheticProject).
//   measure <csc-command-line-file> <AgentQuotas.Analyzers.dll> <AgentQuotas.Generators.dll> <runs> <project-dir> [--telemetry]
//       rebuilds the compilation the compiler built (the file holds the csc command line that
//       `dotnet build -v:d` prints), runs the generator, binds the declarations (as csc has before its
//       analyzers run), then runs the AgentQuotas analyzers through CompilationWithAnalyzers, one at a time
//       (no concurrent analysis), runs + 1 times (the first is warm-up). Default: each analyzer's thread CPU
//       time inside its own actions (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)), which a loaded machine
//       does not inflate; --telemetry: the driver's ExecutionTime (wall clock, what -p:ReportAnalyzer prints).
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using AgentQuotas.Benchmarks.CompileTime;

if (args[0] == "generate")
{
    string rt = args[2], gen = args[3], ana = args[4];
    RealisticProject.WriteTo(Path.Combine(args[1], "realistic"), rt, gen, ana);
    SyntheticProject.WriteTo(Path.Combine(args[1], "stress"), rt, gen, ana);
    return 0;
}

// measure <cmdline-file> <analyzers.dll> <generator.dll> <runs>
string cmd = File.ReadAllText(args[1]).Trim();
string analyzerDll = args[2], generatorDll = args[3];
int runs = int.Parse(args[4]);
var split = CommandLineParser.SplitCommandLineIntoArguments(cmd, removeHashComments: false).ToList();
int start = split.FindIndex(a => a.EndsWith("csc.dll", StringComparison.Ordinal) || a.EndsWith("/csc", StringComparison.Ordinal));
var cscArgs = split.Skip(start + 1).Where(a => !a.StartsWith("/analyzer:", StringComparison.Ordinal)).ToArray();
string baseDir = Path.GetDirectoryName(Path.GetFullPath(args[1]))!;
baseDir = args.Length > 5 && !args[5].StartsWith("--", StringComparison.Ordinal) ? args[5] : baseDir;
var parsed = CSharpCommandLineParser.Default.Parse(cscArgs, baseDir, sdkDirectory: null);
if (parsed.Errors.Length > 0) { foreach (var e in parsed.Errors) Console.Error.WriteLine(e); }
var refs = parsed.MetadataReferences.Select(r => (MetadataReference)MetadataReference.CreateFromFile(r.Reference)).ToList();
var configs = parsed.AnalyzerConfigPaths.Select(p => AnalyzerConfig.Parse(SourceText.From(File.ReadAllText(p)), p)).ToList();
var configSet = AnalyzerConfigSet.Create(configs);
var trees = parsed.SourceFiles.Select(f => CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(f.Path)), parsed.ParseOptions, f.Path)).ToList();
var additional = parsed.AdditionalFiles.Select(f => (AdditionalText)new FileText(f.Path)).ToImmutableArray();
var treeOptions = trees.Select(t => configSet.GetOptionsForSourcePath(t.FilePath)).ToList();
var optionsProvider = new Provider(
    trees.Select((t, i) => (t, treeOptions[i].AnalyzerOptions)).ToDictionary(x => x.t, x => x.AnalyzerOptions),
    configSet.GlobalConfigOptions.AnalyzerOptions);
var loader = new Loader();
var anaRef = new AnalyzerFileReference(Path.GetFullPath(analyzerDll), loader);
var genRef = new AnalyzerFileReference(Path.GetFullPath(generatorDll), loader);
var analyzers = anaRef.GetAnalyzers(LanguageNames.CSharp);
bool cpu = !args.Contains("--telemetry");
var generators = genRef.GetGenerators(LanguageNames.CSharp);
var compilationOptions = parsed.CompilationOptions
    .WithSpecificDiagnosticOptions(parsed.CompilationOptions.SpecificDiagnosticOptions)
    .WithSyntaxTreeOptionsProvider(null);
Console.WriteLine($"{trees.Count} files, {refs.Count} references, {analyzers.Length} analyzers, {generators.Length} generators, {additional.Length} additional files, {configs.Count} configs");
var totals = new Dictionary<string, List<double>>();
for (int run = 0; run < runs + 1; run++)
{
    var compilation = CSharpCompilation.Create(parsed.CompilationName ?? "x", trees, refs, compilationOptions);
    GeneratorDriver driver = CSharpGeneratorDriver.Create(generators, additional, (CSharpParseOptions)parsed.ParseOptions, optionsProvider);
    driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation withGenerated, out _);
    // As in csc, the references and declarations are bound before the analyzers run (not measured).
    _ = withGenerated.GetDeclarationDiagnostics();
    var options = new AnalyzerOptions(additional, optionsProvider);
    var meters = analyzers.Select(a => new CpuMeter(a)).ToImmutableArray<DiagnosticAnalyzer>();
    var used = cpu ? meters : analyzers;
    var cwa = withGenerated.WithAnalyzers(used, new CompilationWithAnalyzersOptions(options, null, concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
    var sw = Stopwatch.StartNew();
    var diags = await cwa.GetAnalyzerDiagnosticsAsync();
    sw.Stop();
    double total = 0;
    var line = new List<(string, double)>();
    foreach (var a in used)
    {
        var info = await cwa.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None);
        string name = a is CpuMeter cm ? cm.Inner.GetType().Name : a.GetType().Name;
        line.Add((name, a is CpuMeter m2 ? m2.Nanos / 1e9 : info.ExecutionTime.TotalSeconds));
        total += info.ExecutionTime.TotalSeconds;
    }
    Console.WriteLine($"run {run}{(run == 0 ? " (warm-up)" : "")}: {diags.Length} diagnostics ({string.Join(",", diags.GroupBy(d => d.Id).Select(g => g.Key + "x" + g.Count()))}), wall {sw.Elapsed.TotalSeconds:0.000} s, analyzers {total:0.000} s; " +
        string.Join(", ", line.OrderByDescending(l => l.Item2).Select(l => $"{l.Item1} {l.Item2:0.000} ({l.Item2 / total:P0})")));
    if (run > 0)
    {
        foreach (var (n, t) in line) { (totals.TryGetValue(n, out var l) ? l : totals[n] = new()).Add(t); }
        (totals.TryGetValue("(total)", out var tl) ? tl : totals["(total)"] = new()).Add(total);
    }
}
double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
double medTotal = totals.Where(k => k.Key != "(total)").Sum(k => Median(k.Value));
Console.WriteLine($"\n{(cpu ? "thread CPU time in the analyzers' actions" : "telemetry ExecutionTime")}, median of {runs} runs (share: of the sum of the medians):\n");
Console.WriteLine("| analyzer | time | share |\n|---|---:|---:|");
foreach (var (n, v) in totals.Where(k => k.Key != "(total)").OrderByDescending(k => Median(k.Value)))
    Console.WriteLine($"| `{n}` | {Median(v):0.000} s | {Median(v) / medTotal:P0} |");
Console.WriteLine($"| all AgentQuotas analyzers | {medTotal:0.000} s | |");
return 0;

sealed class FileText(string path) : AdditionalText
{
    public override string Path => path;
    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(path));
}
sealed class Opts(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
{
    public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    public override IEnumerable<string> Keys => values.Keys;
}
sealed class Provider(Dictionary<SyntaxTree, ImmutableDictionary<string, string>> trees, ImmutableDictionary<string, string> global) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Opts(global);
    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => trees.TryGetValue(tree, out var v) ? new Opts(v) : GlobalOptions;
    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;
}
sealed class Loader : IAnalyzerAssemblyLoader
{
    public void AddDependencyLocation(string fullPath) { }
    public System.Reflection.Assembly LoadFromPath(string fullPath) => System.Reflection.Assembly.LoadFrom(fullPath);
}

// Where the stress project's added compile time goes, in process (docs/benchmarks.md section 6.2): the synthetic
// 2,000-tool / 20,000-call-site project (../AgentQuotas.Benchmarks/CompileTime/SyntheticProject.cs, with the global
// usings of ImplicitUsings) is run through the generator given on the command line once, then, interleaved, N rounds
// of: Emit of the user code alone; Emit of the user code plus the generated files as ordinary sources (intercepting);
// the same with every [InterceptsLocation] line removed (the generated code compiled, nothing intercepted); a cold
// generator run. Each Emit is a new compilation over the same parsed trees. Prints the generated size, each round and
// the medians, split into "compiling generated code", "interception" and "generator".
//
//   dotnet run -c Release --project benchmarks/CompileSplit -- <AgentQuotas.Generators.dll> <AgentQuotas.dll> [rounds] [--dump] [--size-only]
//   (eng/compile-split.sh builds both from this tree and runs it)
using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using AgentQuotas.Benchmarks.CompileTime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

// args: generatorDll runtimeDll rounds
string generatorDll = args[0], runtimeDll = args[1];
int rounds = args.Length > 2 ? int.Parse(args[2]) : 3;
var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest)
    .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "AgentQuotas.Generated")]);
var paths = new SortedSet<string>(StringComparer.Ordinal);
foreach (string p in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
{
    string name = Path.GetFileNameWithoutExtension(p);
    if (!name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && name != "CompileSplit") paths.Add(p);
}
paths.Add(runtimeDll);
ImmutableArray<MetadataReference> refs = [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
var user = SyntheticProject.Sources().Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, path: "/synthetic/" + s.Path)).ToList();
user.Add(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;", parse, path: "/synthetic/GlobalUsings.g.cs"));
var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release);
CSharpCompilation Comp(IEnumerable<SyntaxTree> trees) => CSharpCompilation.Create("Synthetic", trees, refs, options);

Assembly asm = Assembly.LoadFrom(generatorDll);
var gen = ((IIncrementalGenerator)Activator.CreateInstance(asm.GetType("AgentQuotas.Generators.GuardGenerator")!)!).AsSourceGenerator();
MethodInfo? clear = asm.GetType("AgentQuotas.Generators.Helpers.SemanticCache")?.GetMethod("Clear", BindingFlags.NonPublic | BindingFlags.Static);
var policy = new Policy(SyntheticProject.Policy());
GeneratorDriverRunResult RunGen(CSharpCompilation c)
{
    clear?.Invoke(null, null);
    return CSharpGeneratorDriver.Create([gen], [policy], parse).RunGenerators(c).GetRunResult();
}

GeneratorDriverRunResult result = RunGen(Comp(user));
var generated = result.GeneratedTrees.ToList();
var errs = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
long lines = 0, chars = 0, guardLines = 0, attrs = 0;
foreach (var t in generated)
{
    string text = t.GetText().ToString();
    int l = t.GetText().Lines.Count;
    lines += l; chars += text.Length;
    if (t.FilePath.Contains("AgentQuotas.Guards.")) guardLines += l;
    attrs += Regex.Matches(text, @"\[global::System\.Runtime\.CompilerServices\.InterceptsLocation\(").Count;
}
Console.WriteLine($"generated: {generated.Count} files, {lines} lines ({guardLines} in guard files), {chars / 1024.0 / 1024.0:F1} MB, {attrs} InterceptsLocation; {lines / (double)SyntheticProject.CallSites:F2} lines/site; generator errors {errs.Count}");
if (args.Contains("--dump")) { var d = Path.Combine(Path.GetTempPath(), "aq-gen-dump"); Directory.CreateDirectory(d); foreach (var t in generated) File.WriteAllText(Path.Combine(d, Path.GetFileName(t.FilePath)), t.GetText().ToString()); }
if (args.Contains("--size-only"))
{
    return;
}

var genTrees = generated.Select(t => CSharpSyntaxTree.ParseText(t.GetText(), parse, path: t.FilePath)).ToList();
var stripped = generated.Select(t => CSharpSyntaxTree.ParseText(
    Regex.Replace(t.GetText().ToString(), @"^\s*\[global::System\.Runtime\.CompilerServices\.InterceptsLocation\(.*$\n", "", RegexOptions.Multiline), parse, path: t.FilePath)).ToList();

// Process CPU time (all threads) rather than wall time: on a shared machine the wall clock mostly measures the wait
// for a core; CPU time is what the compilation itself costs. Wall times are kept in `wall`.
var wall = new Dictionary<string, List<double>>();
double Cpu(Action run)
{
    var process = Process.GetCurrentProcess();
    process.Refresh();
    TimeSpan before = process.TotalProcessorTime;
    run();
    process.Refresh();
    return (process.TotalProcessorTime - before).TotalMilliseconds;
}

double Emit(List<SyntaxTree> trees, bool check)
{
    var sw = Stopwatch.StartNew();
    var c = Comp(trees);
    using var ms = new MemoryStream();
    var r = c.Emit(ms);
    sw.Stop();
    if (check && !r.Success) throw new Exception(string.Join("\n", r.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
    return sw.Elapsed.TotalMilliseconds;
}
double GenTime() { var sw = Stopwatch.StartNew(); RunGen(Comp(user)); return sw.Elapsed.TotalMilliseconds; }

var cases = new (string Name, Func<double> Run)[]
{
    ("user code only", () => Cpu(() => Emit(user, true))),
    ("user + generated (intercepting)", () => Cpu(() => Emit([.. user, .. genTrees], true))),
    ("user + generated, attributes removed", () => Cpu(() => Emit([.. user, .. stripped], true))),
    ("generator run (cold driver)", () => Cpu(() => GenTime())),
};
Console.WriteLine("times are process CPU time (all threads), ms");
foreach (var c in cases) c.Run(); // warm-up
var times = cases.ToDictionary(c => c.Name, _ => new List<double>());
for (int r = 0; r < rounds; r++)
{
    foreach (var c in (r % 2 == 0 ? cases : cases.Reverse()))
    {
        times[c.Name].Add(c.Run());
    }
    Console.WriteLine($"round {r + 1}: " + string.Join(", ", cases.Select(c => $"{times[c.Name][^1]:F0}")) + " ms");
}
double Med(List<double> v) { var s = v.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
foreach (var c in cases) Console.WriteLine($"{c.Name,-40} median {Med(times[c.Name]),8:F0} ms");
double a = Med(times[cases[0].Name]), b = Med(times[cases[1].Name]), s2 = Med(times[cases[2].Name]), g = Med(times[cases[3].Name]);
int sites = SyntheticProject.CallSites;
Console.WriteLine($"compiling generated code (no interception): {s2 - a:F0} ms; interception: {b - s2:F0} ms; generator: {g:F0} ms; total added {b - a + g:F0} ms = {(b - a + g) / sites:F3} ms/site");

sealed class Policy(string text) : AdditionalText
{
    public override string Path => "/synthetic/agentquotas.json";
    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}

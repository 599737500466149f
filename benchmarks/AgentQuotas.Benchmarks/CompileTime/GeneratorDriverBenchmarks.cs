using System.Collections.Immutable;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace AgentQuotas.Benchmarks.CompileTime;

/// <summary>
/// Benchmark 6 (incremental): the generator on the synthetic 2,000-tool / 20,000-call-site compilation, in
/// process through <see cref="CSharpGeneratorDriver"/> as an IDE or the compiler server drives it. Cold: a
/// new driver runs on the compilation. Incremental: a driver that has already run sees the compilation
/// with one line of one file edited (alternating between two versions, so every run sees one edit), and
/// its cached pipeline steps skip everything the edit did not touch.
/// </summary>
public class GeneratorDriverBenchmarks
{
    private static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "AgentQuotas.Generated")]);

    private ISourceGenerator _generator = null!;
    private Action? _forgetKeptResults;
    private CSharpCompilation _compilation = null!;
    private AdditionalText[] _policy = null!;
    private SyntaxTree _original = null!;
    private SyntaxTree _sameLength = null!;
    private SyntaxTree _addedLine = null!;
    private GeneratorDriver _sameLengthDriver = null!;
    private GeneratorDriver _addedLineDriver = null!;
    private CSharpCompilation _sameLengthCurrent = null!;
    private CSharpCompilation _addedLineCurrent = null!;
    private CSharpCompilation _coldCurrent = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_generator, _forgetKeptResults) = LoadGenerator();
        var trees = SyntheticProject.Sources()
            .Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, path: "/synthetic/" + s.Path))
            .ToList();
        _original = trees.Single(t => t.FilePath.EndsWith(SyntheticProject.EditedFile, StringComparison.Ordinal));
        _sameLength = _original.WithChangedText(SourceText.From(SyntheticProject.EditedText(SyntheticProject.EditKind.SameLength)));
        _addedLine = _original.WithChangedText(SourceText.From(SyntheticProject.EditedText(SyntheticProject.EditKind.AddedLine)));
        _compilation = CSharpCompilation.Create("Synthetic", trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _policy = [new PolicyText(SyntheticProject.Policy())];

        GeneratorDriverRunResult cold = NewDriver().RunGenerators(_compilation).GetRunResult();
        int files = cold.GeneratedTrees.Count(t => t.FilePath.Contains("AgentQuotas.Guards.", StringComparison.Ordinal));
        if (files != SyntheticProject.ToolClasses || cold.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            throw new InvalidOperationException($"The generator produced {files} files and {cold.Diagnostics.Length} diagnostics: {string.Join("; ", cold.Diagnostics)}");
        }

        _sameLengthDriver = NewDriver().RunGenerators(_compilation);
        _sameLengthCurrent = _compilation;
        _addedLineDriver = NewDriver().RunGenerators(_compilation);
        _addedLineCurrent = _compilation;
        _coldCurrent = _compilation;
    }

    // Every benchmark runs on a compilation it has not seen (one tree swapped), as a build after an edit
    // does: a compilation that was already bound would make the cold run look cheaper than it is.
    [Benchmark(Baseline = true, Description = "cold: a new driver on 2,000 tools / 20,000 call sites")]
    public GeneratorDriver Cold()
    {
        _coldCurrent = Toggle(_coldCurrent, _sameLength);
        _forgetKeptResults?.Invoke(); // cold: nothing kept from earlier runs (the generator keeps per-file results across compilations)
        return NewDriver().RunGenerators(_coldCurrent);
    }

    [Benchmark(Description = "incremental: one literal edited (no position moves)")]
    public GeneratorDriver Incremental_SameLength()
    {
        CSharpCompilation next = Toggle(_sameLengthCurrent, _sameLength);
        _sameLengthDriver = _sameLengthDriver.RunGenerators(next);
        _sameLengthCurrent = next;
        return _sameLengthDriver;
    }

    [Benchmark(Description = "incremental: one line added (the file's later call sites move)")]
    public GeneratorDriver Incremental_AddedLine()
    {
        CSharpCompilation next = Toggle(_addedLineCurrent, _addedLine);
        _addedLineDriver = _addedLineDriver.RunGenerators(next);
        _addedLineCurrent = next;
        return _addedLineDriver;
    }

    /// <summary>
    /// <c>generator-ratio</c>: cold and incremental runs timed with a stopwatch, interleaved, after two warm-up
    /// rounds; medians and the incremental/cold ratio. The ratio is what the IDE target is about, and it is far
    /// less sensitive to other load on the machine than absolute times (both sides run back to back).
    /// </summary>
    public static string MeasureRatios(int runs)
    {
        var bench = new GeneratorDriverBenchmarks();
        bench.Setup();
        var cold = new List<double>();
        var sameLength = new List<double>();
        var addedLine = new List<double>();
        for (int i = 0; i < runs + 2; i++)
        {
            double c = Time(() => bench.Cold());
            double s = Time(() => bench.Incremental_SameLength());
            double a = Time(() => bench.Incremental_AddedLine());
            if (i >= 2)
            {
                cold.Add(c);
                sameLength.Add(s);
                addedLine.Add(a);
            }
        }

        double coldMedian = Median(cold);
        var text = new System.Text.StringBuilder();
        text.AppendLine("| case | median | ratio to cold |");
        text.AppendLine("|---|---:|---:|");
        text.AppendLine(System.FormattableString.Invariant($"| cold: a new driver | {coldMedian:F1} ms | 1.00 |"));
        text.AppendLine(System.FormattableString.Invariant($"| incremental: one literal edited in a method body | {Median(sameLength):F1} ms | {Median(sameLength) / coldMedian:F3} |"));
        text.AppendLine(System.FormattableString.Invariant($"| incremental: one line added to a method body | {Median(addedLine):F1} ms | {Median(addedLine) / coldMedian:F3} |"));
        text.AppendLine(System.FormattableString.Invariant($"({runs} runs each, interleaved; cold runs: {string.Join(", ", cold.Select(v => v.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} ms)"));
        return text.ToString();

        static double Time(Func<GeneratorDriver> run)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            GC.KeepAlive(run());
            return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        static double Median(List<double> values)
        {
            double[] sorted = [.. values.Order()];
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    /// <summary>How the steps of an incremental run came out (for docs/benchmarks.md).</summary>
    public static string DescribeIncremental(SyntheticProject.EditKind edit)
    {
        var bench = new GeneratorDriverBenchmarks();
        bench.Setup();
        GeneratorDriver driver = bench.NewDriver(trackSteps: true).RunGenerators(bench._compilation);
        SyntaxTree edited = edit == SyntheticProject.EditKind.SameLength ? bench._sameLength : bench._addedLine;
        driver = driver.RunGenerators(bench._compilation.ReplaceSyntaxTree(bench._original, edited));
        GeneratorRunResult result = driver.GetRunResult().Results[0];
        IEnumerable<string> steps = result.TrackedSteps.Select(step =>
        {
            var reasons = step.Value.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).OrderBy(g => g.Key)
                .Select(g => $"{g.Count()} {g.Key}");
            return $"{step.Key}: {string.Join(", ", reasons)}";
        });
        IEnumerable<string> outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).GroupBy(o => o.Reason)
            .OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}");
        return $"{edit}: " + string.Join("; ", steps) + "; source outputs: " + string.Join(", ", outputs);
    }

    private GeneratorDriver NewDriver(bool trackSteps = false) => CSharpGeneratorDriver.Create(
        [_generator], _policy, ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    private CSharpCompilation Toggle(CSharpCompilation current, SyntaxTree edited) =>
        current.ContainsSyntaxTree(_original) ? current.ReplaceSyntaxTree(_original, edited) : current.ReplaceSyntaxTree(edited, _original);

    private static (ISourceGenerator Generator, Action? Forget) LoadGenerator()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "generator", "AgentQuotas.Generators.dll");
        Assembly assembly = Assembly.LoadFrom(path);
        Type type = assembly.GetType("AgentQuotas.Generators.GuardGenerator", throwOnError: true)!;

        // SemanticCache.Clear (internal; absent before the cache existed, when there is nothing to forget).
        MethodInfo? clear = assembly.GetType("AgentQuotas.Generators.Helpers.SemanticCache")?.GetMethod("Clear", BindingFlags.NonPublic | BindingFlags.Static);
        return (((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator(), clear is null ? null : () => clear.Invoke(null, null));
    }

    private static ImmutableArray<MetadataReference> References()
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (!name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && !name.StartsWith("AgentQuotas.Generators", StringComparison.Ordinal)
                && !name.StartsWith("BenchmarkDotNet", StringComparison.Ordinal))
            {
                paths.Add(path);
            }
        }

        paths.Add(typeof(AgentRun).Assembly.Location);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    private sealed class PolicyText(string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path => "/synthetic/agentquotas.json";

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}

using System.Collections.Immutable;
using System.Reflection;
using AgentQuotas.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentQuotas.Generators.Tests.Harness;

/// <summary>
/// Runs the generator with Roslyn's own <see cref="CSharpGeneratorDriver"/> where a test needs the driver
/// (step tracking for the caching tests) or needs to load the result into this process so generated code runs
/// against a real gate. Checks of generated text and diagnostics use <see cref="GuardGeneratorTest"/>.
/// References come from <see cref="TestReferences"/> (Basic.Reference.Assemblies.Net100).
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "AgentQuotas.Generated")]);

    private static int s_compilations;

    /// <summary>Where the i-th test source sits (baselines record it in interception data and comments).</summary>
    public static string SourcePath(int i) => $"/src/Source{i}.cs";

    public static CSharpCompilation Compile(IEnumerable<string> sources, bool withAI = false, string? assemblyName = null) =>
        CSharpCompilation.Create(
            assemblyName ?? "GeneratedTests" + Interlocked.Increment(ref s_compilations),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: SourcePath(i))),
            withAI ? TestReferences.WithAI : TestReferences.Core,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    public static GeneratorRun RunWithAI(params string[] sources) => Run(Compile(sources, withAI: true));

    public static GeneratorRun Run(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CreateDriver();
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        return new GeneratorRun(driver, (CSharpCompilation)output, generatorDiagnostics);
    }

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new GuardGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
}

/// <summary>The outcome of one generator run: generated sources, diagnostics, and the updated compilation.</summary>
internal sealed class GeneratorRun
{
    public GeneratorRun(GeneratorDriver driver, CSharpCompilation output, ImmutableArray<Diagnostic> generatorDiagnostics)
    {
        Driver = driver;
        Output = output;
        GeneratorDiagnostics = generatorDiagnostics;
    }

    public GeneratorDriver Driver { get; }

    public CSharpCompilation Output { get; }

    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    public GeneratorRunResult Result => Driver.GetRunResult().Results.Single();

    public IReadOnlyDictionary<string, string> Sources =>
        Result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

    public string AllSources => string.Join("\n", Result.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => s.SourceText.ToString()));

    /// <summary>Compiler warnings and errors of the sources plus generated code.</summary>
    public IReadOnlyList<Diagnostic> CompileDiagnostics =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Asserts the generator reported nothing and everything compiles without warnings.</summary>
    public GeneratorRun AssertClean()
    {
        Assert.True(GeneratorDiagnostics.IsEmpty, "Generator diagnostics:\n" + string.Join("\n", GeneratorDiagnostics));
        IReadOnlyList<Diagnostic> problems = CompileDiagnostics;
        Assert.True(problems.Count == 0, "Compilation diagnostics:\n" + string.Join("\n", problems) + "\n\nGenerated:\n" + AllSources);
        return this;
    }

    /// <summary>Emits the compilation and loads it into this process (sharing AgentQuotas with the test).</summary>
    public Assembly Load()
    {
        AssertClean();
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return Assembly.Load(image.ToArray());
    }
}

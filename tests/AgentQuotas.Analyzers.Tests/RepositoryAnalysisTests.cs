using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Xml.Linq;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit.Abstractions;

namespace AgentQuotas.Analyzers.Tests;

/// <summary>
/// Runs every analyzer over the repository's own code — each project under src/, samples/ and tests/, with its
/// linked files, constants, global usings and agentquotas.json — and asserts that no analyzer throws (no
/// AD0001). Real code is the best source of shapes the rule tests did not think of.
/// </summary>
public sealed class RepositoryAnalysisTests(ITestOutputHelper output)
{
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
    ];

    public static TheoryData<string> Projects()
    {
        var projects = new TheoryData<string>();
        foreach (string top in new[] { "src", "samples", "tests" })
        {
            string directory = RepositoryPaths.Combine(top);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (string project in Directory.EnumerateFiles(directory, "*.csproj", SearchOption.AllDirectories)
                .Where(p => !IsBuildOutput(p))
                .Order(StringComparer.Ordinal))
            {
                projects.Add(Path.GetRelativePath(RepositoryPaths.Root, project).Replace('\\', '/'));
            }
        }

        return projects;
    }

    [Fact]
    public void The_runtime_samples_and_tests_are_all_covered()
    {
        string[] projects = ((IEnumerable<object[]>)Projects()).Select(p => (string)p[0]).ToArray();
        Assert.Contains("src/Runtime/AgentQuotas.csproj", projects);
        Assert.Contains("samples/SupportDesk/SupportDesk.csproj", projects);
        Assert.Contains("samples/Unbudgeted/Unbudgeted.csproj", projects);
        Assert.Contains("tests/AgentQuotas.Tests/AgentQuotas.Tests.csproj", projects);
        Assert.Contains("tests/AgentQuotas.Analyzers.Tests/AgentQuotas.Analyzers.Tests.csproj", projects);
        Assert.True(SourceFiles(RepositoryPaths.Combine("src", "Runtime", "AgentQuotas.csproj"), XDocument.Load(RepositoryPaths.Combine("src", "Runtime", "AgentQuotas.csproj")))
            .Any(f => f.EndsWith("PolicySchemaValidator.cs", StringComparison.Ordinal)), "linked files are followed");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task Analyzers_do_not_throw_on_the_repository(string relativeProject)
    {
        string project = RepositoryPaths.Combine(relativeProject.Split('/'));
        string directory = Path.GetDirectoryName(project)!;
        XDocument xml = XDocument.Load(project);
        string assemblyName = Property(xml, "AssemblyName") ?? Path.GetFileNameWithoutExtension(project);
        var symbols = (Property(xml, "DefineConstants") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => !s.StartsWith("$(", StringComparison.Ordinal))
            .ToArray();
        CSharpParseOptions parseOptions = TestProject.ParseOptions("AgentQuotas.Generated").WithPreprocessorSymbols(symbols);

        var trees = new List<SyntaxTree>();
        foreach (string file in SourceFiles(project, xml))
        {
            trees.Add(CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(file)), parseOptions, file));
        }

        if (trees.Count == 0)
        {
            output.WriteLine(relativeProject + ": no C# sources (a packaging or props-only project)");
            return;
        }

        var usings = ImplicitUsings.Concat(xml.Descendants("Using").Select(u => (string?)u.Attribute("Include")).OfType<string>());
        trees.Add(CSharpSyntaxTree.ParseText(string.Join("\n", usings.Select(u => "global using " + u + ";")), parseOptions, Path.Combine(directory, "obj", "GlobalUsings.g.cs")));

        ImmutableArray<MetadataReference> references = EverythingReferences.Value
            .Where(r => !string.Equals(Path.GetFileNameWithoutExtension(r.Display), assemblyName, StringComparison.OrdinalIgnoreCase))
            .ToImmutableArray();
        bool exe = string.Equals(Property(xml, "OutputType"), "Exe", StringComparison.OrdinalIgnoreCase);
        var compilation = CSharpCompilation.Create(
            assemblyName,
            trees,
            references,
            new CSharpCompilationOptions(exe ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        ImmutableArray<AdditionalText> policies = Directory.EnumerateFiles(directory, "agentquotas.json", SearchOption.AllDirectories)
            .Where(p => !IsBuildOutput(p))
            .Select(p => (AdditionalText)new PolicyFile(p))
            .ToImmutableArray();

        // Fails on any analyzer exception or AD0001.
        var exceptions = new ConcurrentBag<string>();
        CompilationWithAnalyzers run = compilation.WithAnalyzers(
            AllAnalyzers.Create(),
            new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(policies),
                onAnalyzerException: (e, analyzer, _) => exceptions.Add(analyzer.GetType().Name + ": " + e),
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: true));
        ImmutableArray<Diagnostic> diagnostics = await run.GetAnalyzerDiagnosticsAsync();
        Assert.True(exceptions.IsEmpty, "Analyzer exceptions:\n" + string.Join("\n", exceptions));
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        TimeSpan analyzerTime = TimeSpan.Zero;
        foreach (DiagnosticAnalyzer analyzer in run.Analyzers)
        {
            analyzerTime += (await run.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None)).ExecutionTime;
        }

        output.WriteLine($"{relativeProject}: {trees.Count - 1} files, {compilation.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error)} compiler errors, analyzers ran {analyzerTime.TotalMilliseconds:0} ms (sum over analyzers)");
        foreach (Diagnostic diagnostic in diagnostics.Where(d => d.Id.StartsWith("AQ", StringComparison.Ordinal)))
        {
            output.WriteLine("  " + diagnostic);
        }
    }

    private static IEnumerable<string> SourceFiles(string project, XDocument xml)
    {
        string directory = Path.GetDirectoryName(project)!;
        var nestedProjects = Directory.EnumerateFiles(directory, "*.csproj", SearchOption.AllDirectories)
            .Where(p => p != project && !IsBuildOutput(p))
            .Select(p => Path.GetDirectoryName(p)! + Path.DirectorySeparatorChar)
            .ToList();
        IEnumerable<string> own = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f) && !nestedProjects.Any(n => f.StartsWith(n, StringComparison.Ordinal)));

        // Linked files: <Compile Include="..\Shared\*.cs" Link="..." />
        IEnumerable<string> linked = xml.Descendants("Compile")
            .Select(c => (string?)c.Attribute("Include"))
            .OfType<string>()
            .SelectMany(include =>
            {
                string pattern = Path.GetFullPath(Path.Combine(directory, include.Replace('\\', Path.DirectorySeparatorChar)));
                string folder = Path.GetDirectoryName(pattern)!;
                return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, Path.GetFileName(pattern)) : [];
            });

        return own.Concat(linked).Distinct().Order(StringComparer.Ordinal);
    }

    // The repository's projects compile against what the test process runs on (xunit, the frameworks, ...):
    // net10.0 from Basic.Reference.Assemblies plus every non-framework assembly the test host can load.
    private static readonly Lazy<ImmutableArray<MetadataReference>> EverythingReferences = new(() =>
    {
        var framework = Net100.References.All.Select(r => Path.GetFileNameWithoutExtension(r.FilePath!)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        IEnumerable<MetadataReference> loadable = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !framework.Contains(Path.GetFileNameWithoutExtension(p)))
            .Select(p => MetadataReference.CreateFromFile(p));
        return [.. Net100.References.All, .. loadable];
    });

    private static string? Property(XDocument xml, string name) => xml.Descendants(name).Select(e => e.Value).FirstOrDefault();

    private static bool IsBuildOutput(string path)
    {
        string normalized = path.Replace('\\', '/');
        return normalized.Contains("/bin/", StringComparison.Ordinal) || normalized.Contains("/obj/", StringComparison.Ordinal);
    }

    /// <summary>An agentquotas.json on disk, as the compiler passes AdditionalFiles to analyzers.</summary>
    private sealed class PolicyFile(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(Path));
    }
}

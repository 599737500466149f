using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace AgentQuotas.Generators.Tests.Harness;

/// <summary>
/// The Roslyn source-generator test (Microsoft.CodeAnalysis.CSharp.SourceGenerators.Testing) set up for the
/// guard generator: sources at /src/Source0.cs, ..., interceptors enabled for AgentQuotas.Generated, net10.0
/// from Basic.Reference.Assemblies plus the runtime (and Microsoft.Extensions.AI with <see cref="WithAI"/>).
/// The framework compares the generated files with <c>TestState.GeneratedSources</c> (unless
/// <see cref="TestBehaviors.SkipGeneratedSourcesCheck"/>) and the generator and compiler diagnostics with the
/// markup and <c>ExpectedDiagnostics</c>.
/// </summary>
internal sealed class GuardGeneratorTest : CSharpSourceGeneratorTest<GuardGenerator, DefaultVerifier>
{
    private ImmutableArray<Diagnostic> _reported;

    public GuardGeneratorTest()
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0"); // no package: references are added below
    }

    /// <summary>C# sources (markup allowed), added as /src/Source0.cs, /src/Source1.cs, ...</summary>
    public List<string> Sources { get; } = [];

    /// <summary>Reference Microsoft.Extensions.AI.Abstractions and AgentQuotas.Extensions.AI too.</summary>
    public bool WithAI { get; init; }

    /// <summary>Runs the framework's verification; returns the generator and compiler diagnostics it saw.</summary>
    public new async Task<ImmutableArray<Diagnostic>> RunAsync(CancellationToken cancellationToken = default)
    {
        await base.RunAsync(cancellationToken);
        return _reported;
    }

    /// <summary>Adds the file the generator emits under <paramref name="hintName"/> to the expected generated sources.</summary>
    public void ExpectGenerated(string hintName, string text) => TestState.GeneratedSources.Add((typeof(GuardGenerator), hintName, text));

    protected override Task RunImplAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < Sources.Count; i++)
        {
            TestState.Sources.Add((GeneratorHarness.SourcePath(i), Sources[i]));
        }

        TestState.AdditionalReferences.AddRange(WithAI ? TestReferences.WithAI : TestReferences.Core);

        // As a project without GenerateDocumentationFile: the test sources carry no XML docs.
        TestState.DocumentationMode = DocumentationMode.Parse;
        return base.RunImplAsync(cancellationToken);
    }

    protected override ParseOptions CreateParseOptions() => GeneratorHarness.ParseOptions;

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

    protected override ImmutableArray<(Project project, Diagnostic diagnostic)> FilterDiagnostics(ImmutableArray<(Project project, Diagnostic diagnostic)> diagnostics)
    {
        ImmutableArray<(Project project, Diagnostic diagnostic)> filtered = base.FilterDiagnostics(diagnostics);
        if (_reported.IsDefault)
        {
            _reported = [.. SortDistinctDiagnostics(filtered).Select(d => d.diagnostic)];
        }

        return filtered;
    }
}

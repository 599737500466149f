using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// How every analyzer and code-fix test project is set up: file layout, global usings, parse and compilation
/// options, and the references (through <see cref="TestReferences"/>, never a reference-assembly download).
/// </summary>
internal static class TestProject
{
    /// <summary>The folder the framework puts the test sources in (<c>/0/Test0.cs</c>, <c>/0/Test1.cs</c>, ...).</summary>
    public const string SourceDirectory = "/0/";

    /// <summary>Where the test's agentquotas.json sits.</summary>
    public const string PolicyPath = SourceDirectory + "agentquotas.json";

    /// <summary>Where the test's .editorconfig sits: above every source.</summary>
    public const string EditorConfigPath = "/.editorconfig";

    public const string InterceptorsNamespace = "AgentQuotas.Generated";

    public static string GlobalUsings(bool withAI) => withAI ? AnalyzerGlobalUsings + "global using Microsoft.Extensions.AI;\n" : AnalyzerGlobalUsings;

    /// <summary>The code-fix tests' usings: fixes must write names that resolve without AgentQuotas imported.</summary>
    public const string CodeFixGlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Threading.Tasks;
        global using Microsoft.Extensions.AI;

        """;

    private const string AnalyzerGlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using AgentQuotas;

        """;

    /// <summary>No reference-assembly package: the test adds net10.0 from Basic.Reference.Assemblies itself.</summary>
    public static ReferenceAssemblies NoReferenceAssemblies { get; } = new("net10.0");

    public static CSharpParseOptions ParseOptions(string? interceptorsNamespaces)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        return interceptorsNamespaces == null
            ? options
            : options.WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", interceptorsNamespaces)]);
    }

    public static CSharpCompilationOptions CompilationOptions(OutputKind outputKind) =>
        new(outputKind, nullableContextOptions: NullableContextOptions.Enable);

    /// <summary>Adds the global usings, the policy file and the references to <paramref name="state"/>.</summary>
    public static void Configure(SolutionState state, string? policy, bool referenceAI, bool referenceFrameworks, string? globalUsings = null)
    {
        state.Sources.Add((SourceDirectory + "GlobalUsings.cs", globalUsings ?? GlobalUsings(referenceAI)));
        if (policy != null)
        {
            state.AdditionalFiles.Add((PolicyPath, policy));
        }

        state.AdditionalReferences.AddRange(referenceFrameworks ? TestReferences.WithFrameworks : referenceAI ? TestReferences.Default : TestReferences.WithoutAI);
    }

    /// <summary>Removes the compilation-wide "use the default severity" pins so .editorconfig severities apply.</summary>
    public static Project WithoutDefaultPins(Project project)
    {
        CompilationOptions options = project.CompilationOptions!;
        var pins = options.SpecificDiagnosticOptions.Where(p => p.Value != ReportDiagnostic.Default).ToImmutableDictionary();
        return project.WithCompilationOptions(options.WithSpecificDiagnosticOptions(pins));
    }
}

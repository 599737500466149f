using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// The Roslyn code-fix test (Microsoft.CodeAnalysis.CodeFix.Testing) set up for AgentQuotas: every analyzer runs,
/// the markup of <see cref="Sources"/> must be exactly the diagnostics, and <see cref="FixedSources"/> is the
/// text after the fix, with markup on the diagnostics that remain. Without <see cref="FixAllScope"/> one code
/// action is applied once (to the first fixable diagnostic); with it, the fix-all of that scope is checked.
/// </summary>
internal sealed class AgentQuotasCodeFixTest : CodeFixTest<DefaultVerifier>
{
    public AgentQuotasCodeFixTest()
    {
        ReferenceAssemblies = TestProject.NoReferenceAssemblies;
        TestBehaviors = TestBehaviors.SkipGeneratedCodeCheck | TestBehaviors.SkipSuppressionCheck;
        MarkupOptions = MarkupOptions.UseFirstDescriptor;
    }

    // AQ0003 comes from the call-graph analysis at compilation end, so it is non-local by design; its fix still
    // edits only the method around the loop.
    private const CodeFixTestBehaviors NonLocal = CodeFixTestBehaviors.SkipLocalDiagnosticCheck;

    public required CodeFixProvider Provider { get; init; }

    /// <summary>Sources before the fix, with markup on the diagnostics.</summary>
    public List<string> Sources { get; } = [];

    /// <summary>Sources after the fix, in the same order, with markup on the diagnostics that remain.</summary>
    public List<string> FixedSources { get; } = [];

    public string? Policy { get; init; } = TestPolicies.Standard;

    /// <summary>Also reference the agent frameworks (Semantic Kernel, the Agent Framework, MCP, OpenAI).</summary>
    public bool ReferenceFrameworks { get; init; }

    public OutputKind OutputKind { get; init; } = OutputKind.DynamicallyLinkedLibrary;

    /// <summary>Which of the registered actions to apply.</summary>
    public int ActionIndex { get; init; }

    /// <summary>The title that action must have, if given.</summary>
    public string? ExpectedTitle { get; init; }

    /// <summary>Null to apply one fix; otherwise check the fix-all of this scope (with the action's equivalence key).</summary>
    public FixAllScope? FixAllScope { get; init; }

    protected override string DefaultFileExt => "cs";

    public override string Language => LanguageNames.CSharp;

    public override Type SyntaxKindType => typeof(Microsoft.CodeAnalysis.CSharp.SyntaxKind);

    protected override Task RunImplAsync(CancellationToken cancellationToken)
    {
        foreach (string source in Sources)
        {
            TestState.Sources.Add(source);
        }

        foreach (string source in FixedSources)
        {
            FixedState.Sources.Add(source);
        }

        FixedState.Sources.Add((TestProject.SourceDirectory + "GlobalUsings.cs", TestProject.CodeFixGlobalUsings));
        TestProject.Configure(TestState, Policy, referenceAI: true, ReferenceFrameworks, TestProject.CodeFixGlobalUsings);
        TestState.OutputKind = OutputKind;
        FixedState.OutputKind = OutputKind;

        // Markup in FixedSources marks the diagnostics that remain after the fix.
        FixedState.MarkupHandling = MarkupMode.Allow;
        CodeActionIndex = ActionIndex;
        if (ExpectedTitle != null)
        {
            CodeActionVerifier = (action, verifier) => verifier.Equal(ExpectedTitle, action.Title);
        }

        if (FixAllScope is FixAllScope scope)
        {
            // FixedSources are what fix-all in this scope produces (and, by default, also fixing one at a time).
            CodeFixTestBehaviors = NonLocal | scope switch
            {
                Microsoft.CodeAnalysis.CodeFixes.FixAllScope.Document => CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                Microsoft.CodeAnalysis.CodeFixes.FixAllScope.Project => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
                _ => CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck,
            };
        }
        else
        {
            CodeFixTestBehaviors = NonLocal | CodeFixTestBehaviors.FixOne | CodeFixTestBehaviors.SkipFixAllCheck;
            NumberOfIncrementalIterations = 1;
        }

        return base.RunImplAsync(cancellationToken);
    }

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => AllAnalyzers.Create();

    protected override IEnumerable<CodeFixProvider> GetCodeFixProviders() => [Provider];

    protected override CompilationOptions CreateCompilationOptions() => TestProject.CompilationOptions(OutputKind);

    protected override ParseOptions CreateParseOptions() => TestProject.ParseOptions(TestProject.InterceptorsNamespace);
}

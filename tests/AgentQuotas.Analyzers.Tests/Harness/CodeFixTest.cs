using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// Applies a code fix (or a fix-all) in an <see cref="AdhocWorkspace"/> and compares the documents with the
/// expected text. The marked spans of the sources must be exactly the diagnostics the provider can fix; after
/// the fix, none of them may remain.
/// </summary>
internal sealed class CodeFixTest
{
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Threading.Tasks;
        global using Microsoft.Extensions.AI;
        """;

    public required CodeFixProvider Provider { get; init; }

    /// <summary>Sources before the fix, with markup on the diagnostics to fix.</summary>
    public List<string> Sources { get; } = [];

    /// <summary>Sources after the fix, in the same order.</summary>
    public List<string> FixedSources { get; } = [];

    public string? Policy { get; init; } = TestPolicies.Standard;

    /// <summary>Also reference the agent frameworks (Semantic Kernel, the Agent Framework, MCP, OpenAI).</summary>
    public bool ReferenceFrameworks { get; init; }

    public OutputKind OutputKind { get; init; } = OutputKind.DynamicallyLinkedLibrary;

    /// <summary>Which of the registered actions to apply.</summary>
    public int ActionIndex { get; init; }

    /// <summary>The title that action must have, if given.</summary>
    public string? ExpectedTitle { get; init; }

    /// <summary>Null to fix the first diagnostic; otherwise fix every diagnostic in this scope with the action's equivalence key.</summary>
    public FixAllScope? FixAllScope { get; init; }

    public async Task RunAsync()
    {
        using var workspace = new AdhocWorkspace();
        ProjectId projectId = ProjectId.CreateNewId();
        Solution solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "TestProject", "TestProject", LanguageNames.CSharp)
                .WithCompilationOptions(new CSharpCompilationOptions(OutputKind, nullableContextOptions: NullableContextOptions.Enable))
                .WithParseOptions(AnalyzerTest.ParseOptions("AgentQuotas.Generated"))
                .WithMetadataReferences(ReferenceFrameworks ? TestReferences.WithFrameworks : TestReferences.Default));

        var documents = new List<DocumentId>();
        var expectedSpans = new List<(DocumentId Document, MarkedSpan Span)>();
        for (int i = 0; i < Sources.Count; i++)
        {
            (string text, List<MarkedSpan> spans) = Markup.Parse(Sources[i]);
            DocumentId id = DocumentId.CreateNewId(projectId);
            solution = solution.AddDocument(id, "Test" + i + ".cs", SourceText.From(text), filePath: AnalyzerTest.SourceDirectory + "Test" + i + ".cs");
            documents.Add(id);
            expectedSpans.AddRange(spans.Select(s => (id, s)));
        }

        solution = solution.AddDocument(DocumentId.CreateNewId(projectId), "GlobalUsings.cs", SourceText.From(GlobalUsings), filePath: AnalyzerTest.SourceDirectory + "GlobalUsings.cs");
        if (Policy != null)
        {
            solution = solution.AddAdditionalDocument(DocumentId.CreateNewId(projectId), "agentquotas.json", SourceText.From(Policy), filePath: AnalyzerTest.PolicyPath);
        }

        ImmutableArray<Diagnostic> fixable = await FixableDiagnosticsAsync(solution.GetProject(projectId)!);
        var actualKeys = new List<string>();
        foreach (Diagnostic d in fixable)
        {
            DocumentId document = solution.GetDocumentIdsWithFilePath(d.Location.SourceTree!.FilePath).Single();
            actualKeys.Add(d.Id + " " + documents.IndexOf(document) + " " + d.Location.SourceSpan);
        }

        var expectedKeys = expectedSpans.Select(e => (e.Span.Id ?? "?") + " " + documents.IndexOf(e.Document) + " " + e.Span.Span).ToList();
        Assert.True(
            expectedKeys.Order().SequenceEqual(actualKeys.Order()),
            "Fixable diagnostics differ.\nExpected: " + string.Join("; ", expectedKeys) + "\nActual: " + string.Join("; ", fixable.Select(d => d.Id + " " + d.Location.SourceSpan + " " + d.GetMessage())));

        Diagnostic first = fixable.OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).First();
        Document firstDocument = solution.GetDocument(solution.GetDocumentIdsWithFilePath(first.Location.SourceTree!.FilePath).Single())!;
        CodeAction action = await ActionAsync(firstDocument, first);

        CodeAction applied = action;
        if (FixAllScope is FixAllScope scope)
        {
            FixAllProvider fixAll = Provider.GetFixAllProvider()!;
            Assert.Contains(scope, fixAll.GetSupportedFixAllScopes());
            var context = new FixAllContext(
                firstDocument,
                Provider,
                scope,
                action.EquivalenceKey,
                Provider.FixableDiagnosticIds,
                new FixedDiagnostics(fixable),
                CancellationToken.None);
            applied = (await fixAll.GetFixAsync(context))!;
            Assert.NotNull(applied);
        }

        ImmutableArray<CodeActionOperation> operations = await applied.GetOperationsAsync(CancellationToken.None);
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;

        for (int i = 0; i < documents.Count; i++)
        {
            string actual = (await changed.GetDocument(documents[i])!.GetTextAsync()).ToString();
            Assert.True(Normalize(FixedSources[i]) == Normalize(actual), "Fixed source " + i + " differs. Actual:\n" + actual);
        }

        // The fixed code compiles and no longer has the diagnostics that were fixed.
        Project fixedProject = changed.GetProject(projectId)!;
        Compilation compilation = (await fixedProject.GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        ImmutableArray<Diagnostic> remaining = await FixableDiagnosticsAsync(fixedProject);
        int expectedRemaining = FixAllScope == null ? fixable.Length - CountFixedBy(first, fixable) : 0;
        Assert.True(remaining.Length == expectedRemaining, "Remaining after the fix: " + string.Join("; ", remaining.Select(d => d.GetMessage())));
    }

    private async Task<CodeAction> ActionAsync(Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await Provider.RegisterCodeFixesAsync(context);
        Assert.True(actions.Count > ActionIndex, "The provider offered " + actions.Count + " action(s): " + string.Join(", ", actions.Select(a => a.Title)));
        CodeAction chosen = actions[ActionIndex];
        if (ExpectedTitle != null)
        {
            Assert.Equal(ExpectedTitle, chosen.Title);
        }

        return chosen;
    }

    // A single fix of a loop diagnostic caps the whole method, which fixes every loop in it.
    private static int CountFixedBy(Diagnostic first, ImmutableArray<Diagnostic> fixable) =>
        first.Id == "AQ0003" ? fixable.Count(d => SameMethod(d, first)) : 1;

    private static bool SameMethod(Diagnostic a, Diagnostic b)
    {
        if (a.Location.SourceTree != b.Location.SourceTree)
        {
            return false;
        }

        SyntaxNode root = a.Location.SourceTree!.GetRoot();
        SyntaxNode? MethodOf(Diagnostic d) => root.FindNode(d.Location.SourceSpan).AncestorsAndSelf()
            .FirstOrDefault(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax);
        return MethodOf(a) == MethodOf(b);
    }

    private async Task<ImmutableArray<Diagnostic>> FixableDiagnosticsAsync(Project project)
    {
        Compilation compilation = (await project.GetCompilationAsync())!;
        ImmutableArray<Diagnostic> diagnostics = await AnalyzerTest.AnalyzeAsync(compilation, project.AnalyzerOptions.AdditionalFiles);
        return diagnostics.Where(d => Provider.FixableDiagnosticIds.Contains(d.Id) && d.Location.IsInSource).ToImmutableArray();
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>Serves the diagnostics computed up front to the fix-all engine.</summary>
    private sealed class FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            SyntaxTree? tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return diagnostics.Where(d => d.Location.SourceTree?.FilePath == tree?.FilePath);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}

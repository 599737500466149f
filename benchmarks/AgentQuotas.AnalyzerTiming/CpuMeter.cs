using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

static class ThreadCpu
{
    [StructLayout(LayoutKind.Sequential)] struct Ts { public long Sec; public long Nsec; }
    [DllImport("libc")] static extern int clock_gettime(int clk, out Ts ts);
    public static long Now() { clock_gettime(3, out Ts t); return t.Sec * 1000000000L + t.Nsec; }
}

/// <summary>Wraps an analyzer so every action it registers is charged to it in thread CPU time.</summary>
sealed class CpuMeter : DiagnosticAnalyzer
{
    public readonly DiagnosticAnalyzer Inner;
    public long Nanos;
    public CpuMeter(DiagnosticAnalyzer inner) => Inner = inner;
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Inner.SupportedDiagnostics;
    public Action<T> W<T>(Action<T> a) => c => { long t = ThreadCpu.Now(); try { a(c); } finally { Interlocked.Add(ref Nanos, ThreadCpu.Now() - t); } };
    public override void Initialize(AnalysisContext context) => Inner.Initialize(new Ctx(context, this));

    sealed class Ctx(AnalysisContext c, CpuMeter m) : AnalysisContext
    {
        public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) => c.RegisterCompilationStartAction(m.W<CompilationStartAnalysisContext>(s => action(new Start(s, m))));
        public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => c.RegisterCompilationAction(m.W(action));
        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => c.RegisterSemanticModelAction(m.W(action));
        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => c.RegisterSymbolAction(m.W(action), symbolKinds);
        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => throw new NotSupportedException("codeblockstart");
        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => c.RegisterCodeBlockAction(m.W(action));
        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => c.RegisterSyntaxTreeAction(m.W(action));
        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => c.RegisterSyntaxNodeAction(m.W(action), syntaxKinds);
        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => c.RegisterOperationAction(m.W(action), operationKinds);
        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => c.RegisterOperationBlockAction(m.W(action));
        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => throw new NotSupportedException("opblockstart");
        public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => c.RegisterAdditionalFileAction(m.W(action));
        public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) => throw new NotSupportedException("symbolstart");
        public override void EnableConcurrentExecution() => c.EnableConcurrentExecution();
        public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => c.ConfigureGeneratedCodeAnalysis(analysisMode);
    }

    sealed class Start(CompilationStartAnalysisContext c, CpuMeter m) : CompilationStartAnalysisContext(c.Compilation, c.Options, c.CancellationToken)
    {
        public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => c.RegisterCompilationEndAction(m.W(action));
        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => c.RegisterSemanticModelAction(m.W(action));
        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => c.RegisterSymbolAction(m.W(action), symbolKinds);
        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => throw new NotSupportedException("codeblockstart");
        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => c.RegisterCodeBlockAction(m.W(action));
        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => c.RegisterSyntaxTreeAction(m.W(action));
        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => c.RegisterSyntaxNodeAction(m.W(action), syntaxKinds);
        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => c.RegisterOperationAction(m.W(action), operationKinds);
        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => c.RegisterOperationBlockAction(m.W(action));
        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => throw new NotSupportedException("opblockstart");
        public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => c.RegisterAdditionalFileAction(m.W(action));
        public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) => throw new NotSupportedException("symbolstart");
    }
}

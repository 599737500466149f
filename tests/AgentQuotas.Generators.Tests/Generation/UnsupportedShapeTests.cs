using AgentQuotas.Generators.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators.Tests.Generation;

/// <summary>
/// Shapes the generator cannot guard: each gets an AQ1xxx diagnostic on the user's line (the call or the
/// declaration) with the reason, and the generated code still compiles (never a CS error in a .g.cs file).
/// The shapes it can guard are in tests/AgentQuotas.Generators.SignatureZoo. docs/generator.md lists both.
/// </summary>
public sealed class UnsupportedShapeTests
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        {
            "AQ1001", "async tool with a ref parameter",
            """
            [QuotaCategory("z")] public class T { [Cost(1)] public System.Threading.Tasks.Task<int> M(ref int x) => System.Threading.Tasks.Task.FromResult(x); }
            public static class U { public static object Go(T t) { int x = 1; return /*here*/t.M(ref x); } }
            """,
            "an awaitable tool with ref, out, in or ref struct parameters cannot be awaited by the guard"
        },
        {
            "AQ1001", "method returning by reference",
            """
            [QuotaCategory("z")] public class T { private int _v; [Cost(1)] public ref int M() => ref _v; }
            public static class U { public static int Go(T t) => /*here*/t.M(); }
            """,
            "methods returning by reference cannot be guarded"
        },
        {
            "AQ1001", "private generic tool",
            """
            [QuotaCategory("z")] public class T { [Cost(1)] private X M<X>(X x) => x; public int Go() => /*here*/M(1); }
            """,
            "it is private or protected and generic"
        },
        {
            "AQ1001", "file-local type in the signature",
            """
            file sealed class Secret { }
            [QuotaCategory("z")] file sealed class T { [Cost(1)] public string M(Secret s) => ""; }
            file static class U { public static string Go() => /*here*/new T().M(new Secret()); }
            """,
            "uses the file-local type"
        },
        {
            "AQ1001", "pointer parameter",
            """
            [QuotaCategory("z")] public unsafe class T { [Cost(1)] public int M(int* p) => *p; }
            public static unsafe class U { public static int Go(T t) { int x = 1; return /*here*/t.M(&x); } }
            """,
            "uses the pointer type"
        },
        {
            "AQ1001", "instance method of a struct",
            """
            [QuotaCategory("z")] public struct T { [Cost(1)] public int M() => 1; }
            public static class U { public static int Go() { var t = new T(); return /*here*/t.M(); } }
            """,
            "instance methods of value types cannot be intercepted"
        },
        {
            "AQ1001", "call through base",
            """
            [QuotaCategory("z")] public class B { [Cost(1)] public virtual int M() => 1; }
            public class D : B { public override int M() => /*here*/base.M(); }
            """,
            "calls through 'base' cannot be intercepted"
        },
        {
            "AQ1001", "call inside an expression tree",
            """
            [QuotaCategory("z")] public class T { [Cost(1)] public int M() => 1; }
            public static class U { public static System.Linq.Expressions.Expression<System.Func<T, int>> Go() => t => /*here*/t.M(); }
            """,
            "calls inside expression trees cannot be intercepted"
        },
        {
            "AQ1001", "static abstract interface member through a type parameter",
            """
            public interface IMake { [QuotaCategory("z"), Cost(1)] static abstract int Make(); }
            public static class U { public static int Go<X>() where X : IMake => /*here*/X.Make(); }
            """,
            "static abstract or virtual interface members"
        },
        {
            "AQ1001", "local function",
            """
            public static class U { public static int Go() { [QuotaCategory("z"), Cost(1)] static int Local() => 1; return /*here*/Local(); } }
            """,
            "calls to local functions cannot be intercepted"
        },
        {
            "AQ1003", "local function with a cost estimator",
            """
            public static class U { public static void Go() { [/*here*/QuotaCategory("z"), Cost(Estimator = "E")] static int Local(int n) => n; System.Func<int, int> f = Local; } static double E(int n) => n; }
            """,
            "only generated code calls an estimator"
        },
        {
            "AQ1003", "local function with a fallback",
            """
            public static class U { public static void Go() { [/*here*/QuotaCategory("z"), Cost(1), Fallback("D")] static int Local() => 1; System.Func<int> f = Local; } static int D() => 0; }
            """,
            "only generated code calls a fallback"
        },
        {
            "AQ1003", "property accessor",
            """
            public class T { public int P { [/*here*/QuotaCategory("z"), Cost(1)] get => 1; } }
            """,
            "is a property accessor"
        },
        {
            "AQ1003", "lambda",
            """
            public static class U { public static System.Func<int> Go() => [/*here*/QuotaCategory("z"), Cost(1)] () => 1; }
            """,
            "is a lambda or anonymous method"
        },
        {
            "AQ1003", "operator",
            """
            public class T { [/*here*/QuotaCategory("z"), Cost(1)] public static T operator +(T a, T b) => a; }
            """,
            "is an operator"
        },
        {
            "AQ1003", "constructor",
            """
            public class T { [/*here*/QuotaCategory("z"), Cost(1)] public T() { } }
            """,
            "is a constructor"
        },
        {
            "AQ1003", "[AgentLoop] on a local function",
            """
            public static class U { public static void Go() { [/*here*/AgentLoop(MaxIterations = 2)] static void Loop() { } Loop(); } }
            """,
            "is a local function"
        },
        {
            "AQ1005", "model call through base in an [AgentLoop] method",
            """
            public class Agent : Microsoft.Extensions.AI.DelegatingChatClient
            {
                public Agent(Microsoft.Extensions.AI.IChatClient inner) : base(inner) { }

                [AgentLoop(MaxIterations = 2)]
                public async System.Threading.Tasks.Task<string> AskAsync()
                {
                    var r = await /*here*/base.GetResponseAsync(new Microsoft.Extensions.AI.ChatMessage[0]);
                    return r.Text;
                }
            }
            """,
            "cannot be counted against the loop's caps: a call through 'base' cannot be intercepted"
        },
        {
            "AQ1002", "generic [AgentTool]",
            """
            [QuotaCategory("z")] public class T { [/*here*/AgentTool("e", "Echoes"), Cost(1)] public X Echo<X>(X x) => x; }
            """,
            "generic methods cannot be described to a model"
        },
        {
            "AQ1002", "[AgentTool] with a default the generator cannot write",
            """
            [QuotaCategory("z")] public class T { [/*here*/AgentTool("d", "Dates"), Cost(1)] public string M([System.Runtime.InteropServices.Optional, System.Runtime.CompilerServices.DateTimeConstant(0L)] System.DateTime at) => ""; }
            """,
            "cannot be written in generated code"
        },
        {
            "AQ1002", "[AgentTool] on an interface member",
            """
            public interface I { [/*here*/AgentTool("i", "Interface tool"), QuotaCategory("z"), Cost(1)] string M(string x); }
            """,
            "interface members have no instance to call"
        },
        {
            "AQ1002", "[AgentTool] with an out parameter",
            """
            [QuotaCategory("z")] public class T { [/*here*/AgentTool("o", "Out"), Cost(1)] public bool M(out int x) { x = 1; return true; } }
            """,
            "ref and out parameters cannot be passed by a model"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_shape_is_reported_on_the_users_line_and_nothing_generated_fails_to_compile(string id, string shape, string source, string reason)
    {
        string text = "using AgentQuotas;\n" + source;
        GeneratorRun run = GeneratorHarness.RunWithAI(text);

        Diagnostic d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == id);
        Assert.Contains(reason, d.GetMessage(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(d.Descriptor.HelpLinkUri), shape + ": no help link");
        Assert.EndsWith(id + ".md", d.Descriptor.HelpLinkUri, StringComparison.Ordinal);

        // On the user's line: the line of the /*here*/ marker, in the user's file.
        int marker = text.IndexOf("/*here*/", StringComparison.Ordinal);
        int line = text[..marker].Count(c => c == '\n');
        Assert.Equal("/src/Source0.cs", d.Location.GetLineSpan().Path);
        Assert.Equal(line, d.Location.GetLineSpan().StartLinePosition.Line);

        // Whatever was generated compiles: the only errors are the user's own (none here but unsafe code).
        Assert.DoesNotContain(run.CompileDiagnostics, c => c.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Model_calls_are_intercepted_only_in_AgentLoop_methods()
    {
        GeneratorRun run = GeneratorHarness.RunWithAI("""
            using System.Threading.Tasks;
            using AgentQuotas;
            using Microsoft.Extensions.AI;

            public sealed class Agent
            {
                public Task<ChatResponse> Unbounded(IChatClient chat) => chat.GetResponseAsync("not in a loop method");

                [AgentLoop(MaxIterations = 2)]
                public async Task<string> Capped(IChatClient chat) => (await chat.GetResponseAsync("in a loop method")).Text;
            }
            """).AssertClean();

        string source = Assert.Single(run.Sources, s => s.Key.StartsWith("AgentQuotas.ModelCalls.", StringComparison.Ordinal)).Value;
        Assert.Single(source.Split('\n'), l => l.Contains("InterceptsLocation(1,", StringComparison.Ordinal));
        Assert.Contains("s_loop_0.InvokeAsync(false,", source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tool_whose_signature_the_compiler_cannot_resolve_adds_nothing_to_the_users_error()
    {
        GeneratorRun run = GeneratorHarness.RunWithAI("""
            using AgentQuotas;
            [QuotaCategory("z")]
            public class Steps
            {
                [AgentTool("step", "A step"), Cost(1)]
                public string Step(MissingContext context) => "";

                public string Use() => Step(null!);
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
        Diagnostic missing = Assert.Single(run.CompileDiagnostics, d => d.Id == "CS0246");
        Assert.Equal("/src/Source0.cs", missing.Location.GetLineSpan().Path);
    }
}

using System.Reflection;
using AgentQuotas.Audit;
using AgentQuotas.Generators.Tests.Harness;
using AgentQuotas.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Behaviour;

/// <summary>
/// Tools annotated in another assembly, which the consumer sees only as a metadata reference (a DLL, the way a
/// NuGet package of tools arrives): the call-site name filter (<c>GuardedNames</c>) must still let those calls
/// through, the generator must intercept them, and the interceptor must guard them like a tool in source:
/// counted and priced in a run, refused without approval when privileged, failing closed outside a run.
/// </summary>
public sealed class MetadataReferenceToolTests : IDisposable
{
    private const string LibrarySource = """
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Vendor;

        [QuotaCategory("payments")]
        public sealed class LedgerTools
        {
            public int Runs;

            [Cost(1), Privileged(RequiresApproval = true)]
            public string Reverse(string entryId) { Runs++; return "reversed " + entryId; }

            [QuotaCategory("search"), Cost(3)]
            public Task<string> FindEntryAsync(string text) { Runs++; return Task.FromResult("entry for " + text); }

            // Not a tool: the same assembly, no runtime attribute.
            public string Describe() => "ledger";
        }
        """;

    private const string ConsumerSource = """
        using System.Threading.Tasks;

        namespace Consumer;

        public static class Calls
        {
            public static string ReverseOne(Vendor.LedgerTools tools) => tools.Reverse("e-1");
            public static Task<string> Find(Vendor.LedgerTools tools) => tools.FindEntryAsync("rent");
            public static string Describe(Vendor.LedgerTools tools) => tools.Describe();
        }
        """;

    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly Lazy<(Assembly Library, GeneratorRun Consumer, Assembly Loaded)> Built = new(Build);
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;

    public MetadataReferenceToolTests()
    {
        // No approval service: a call that requires approval is never approved.
        _gate = Policies.Gate(Policies.Create("{}", "search:100:1", "payments:100:1"), _time, o => o.AuditSink = _audit);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public void Calls_to_tools_of_a_referenced_assembly_are_intercepted_and_other_calls_are_not()
    {
        GeneratorRun consumer = Built.Value.Consumer;

        consumer.AssertClean();
        string generated = consumer.AllSources;
        Assert.Equal(2, CountOf(generated, "InterceptsLocation("));
        Assert.Contains("Reverse", generated, StringComparison.Ordinal);
        Assert.Contains("FindEntryAsync", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("Describe", generated, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_referenced_tool_is_counted_and_priced_in_a_run()
    {
        object tools = NewTools();
        using AgentRun run = _gate.BeginRun(Acme);

        var found = (Task<string>)Scenario.Call(Built.Value.Loaded, "Consumer.Calls", "Find", tools)!;

        Assert.Equal("entry for rent", await found);
        Assert.Equal(1, run.ToolCalls);
        Assert.Equal(3, run.CostSpent);
        Assert.Contains(_audit.Snapshot(), r => r.Category == "search" && r.Decision == AuditDecision.Completed);
    }

    [Fact]
    public void A_referenced_privileged_tool_is_refused_without_approval()
    {
        object tools = NewTools();
        using AgentRun run = _gate.BeginRun(Acme);

        QuotaExceededException e = Assert.Throws<QuotaExceededException>(() => Scenario.Call(Built.Value.Loaded, "Consumer.Calls", "ReverseOne", tools));

        Assert.Equal(QuotaReason.ApprovalRequired, e.Reason);
        Assert.Equal(0, Runs(tools));   // the privileged tool did not run
    }

    [Fact]
    public async Task Outside_a_run_a_referenced_tool_fails_closed()
    {
        object tools = NewTools();

        Assert.Throws<InvalidOperationException>(() => Scenario.Call(Built.Value.Loaded, "Consumer.Calls", "ReverseOne", tools));
        await Assert.ThrowsAsync<InvalidOperationException>(() => (Task<string>)Scenario.Call(Built.Value.Loaded, "Consumer.Calls", "Find", tools)!);
        Assert.Equal(0, Runs(tools));
        Assert.Equal("ledger", Scenario.Call(Built.Value.Loaded, "Consumer.Calls", "Describe", tools));   // not a tool: runs anywhere
    }

    private static (Assembly Library, GeneratorRun Consumer, Assembly Loaded) Build()
    {
        // The library is an ordinary compilation emitted to a DLL image; the consumer sees only its metadata.
        CSharpCompilation library = GeneratorHarness.Compile([LibrarySource], assemblyName: "VendorLedger" + Guid.NewGuid().ToString("N"));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = library.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        byte[] bytes = image.ToArray();
        Assembly loadedLibrary = Assembly.Load(bytes);
        AppDomain.CurrentDomain.AssemblyResolve += (_, e) => new AssemblyName(e.Name).Name == library.AssemblyName ? loadedLibrary : null;

        CSharpCompilation consumer = GeneratorHarness.Compile([ConsumerSource])
            .AddReferences(MetadataReference.CreateFromImage(bytes));
        Assert.DoesNotContain(consumer.SyntaxTrees, t => t.ToString().Contains("LedgerTools", StringComparison.Ordinal) && t.ToString().Contains("[Cost", StringComparison.Ordinal));
        GeneratorRun run = GeneratorHarness.Run(consumer);
        return (loadedLibrary, run, run.Load());
    }

    private object NewTools() => Activator.CreateInstance(Built.Value.Library.GetType("Vendor.LedgerTools", throwOnError: true)!)!;

    private static int Runs(object tools) => (int)tools.GetType().GetField("Runs")!.GetValue(tools)!;

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

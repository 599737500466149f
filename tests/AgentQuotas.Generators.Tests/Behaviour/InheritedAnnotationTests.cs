using System.Reflection;
using AgentQuotas.Audit;
using AgentQuotas.Generators.Tests.Harness;
using AgentQuotas.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Behaviour;

/// <summary>
/// Issue 14 item 1 (generator part): tool attributes on an interface member or a base-class virtual or
/// abstract member guard every call through that member, and the implementing or overriding member
/// inherits them, so a privileged tool never runs unapproved whatever reference it is called through.
/// </summary>
public sealed class InheritedAnnotationTests : IDisposable
{
    private const string Source = """
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Demo;

        public interface IRefunds
        {
            [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
            Task<string> IssueRefundAsync(string orderId, decimal amount);
        }

        public sealed class RefundTools : IRefunds
        {
            public int Refunds;

            // No attributes of its own: it implements an annotated interface member.
            public Task<string> IssueRefundAsync(string orderId, decimal amount) { Refunds++; return Task.FromResult("refunded " + orderId); }
        }

        public abstract class PaymentsBase
        {
            public int Charges;

            [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
            public abstract string Charge(string orderId);

            [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
            public virtual string Void(string orderId) { Charges++; return "voided " + orderId; }
        }

        public sealed class Payments : PaymentsBase
        {
            public override string Charge(string orderId) { Charges++; return "charged " + orderId; }

            public override string Void(string orderId) { Charges++; return "voided here " + orderId; }
        }

        public static class Calls
        {
            public static Task<string> ThroughInterface(RefundTools tools) => ((IRefunds)tools).IssueRefundAsync("o-1", 10m);
            public static Task<string> OnTheClass(RefundTools tools) => tools.IssueRefundAsync("o-2", 10m);
            public static string ThroughAbstractBase(Payments p) => ((PaymentsBase)p).Charge("o-3");
            public static string OnTheOverride(Payments p) => p.Charge("o-4");
            public static string ThroughVirtualBase(Payments p) => ((PaymentsBase)p).Void("o-5");
            public static string OnTheVirtualOverride(Payments p) => p.Void("o-6");
        }
        """;

    // A category on the interface type, and an explicit implementation (callable only through the interface).
    private const string SearchSource = """
        using AgentQuotas;

        namespace Demo;

        [QuotaCategory("search")]
        public interface ISearch
        {
            [Cost(2)]
            string Find(string query);
        }

        public sealed class Search : ISearch
        {
            public int Finds;

            string ISearch.Find(string query) { Finds++; return "found " + query; }
        }

        public static class SearchCalls
        {
            public static string ExplicitImplementation(Search s) => ((ISearch)s).Find("q");
        }
        """;

    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly Lazy<Assembly> LazyAssembly = new(() => GeneratorHarness.Run(Source).Load());
    private static readonly Lazy<Assembly> LazySearch = new(() => GeneratorHarness.Run(SearchSource).Load());
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;

    public InheritedAnnotationTests()
    {
        // No approval service: a call that requires approval is never approved.
        _gate = Policies.Gate(Policies.Create("{}", "search:100:1", "payments:100:1"), _time, o => o.AuditSink = _audit);
    }

    public void Dispose() => _gate.Dispose();

    [Theory]
    [InlineData("ThroughInterface")]
    [InlineData("OnTheClass")]
    public async Task A_privileged_interface_member_is_refused_without_approval_through_the_interface_and_on_the_class(string call)
    {
        object tools = New("Demo.RefundTools");
        using AgentRun run = _gate.BeginRun(Acme);

        var pending = (Task<string>)Scenario.Call(LazyAssembly.Value, "Demo.Calls", call, tools)!;
        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => pending);

        Assert.Equal(QuotaReason.ApprovalRequired, e.Reason);
        Assert.Equal(0, Field(tools, "Refunds"));   // the privileged tool did not run
        Assert.Contains(_audit.Snapshot(), r => r.Tool == "IRefunds.IssueRefundAsync" || r.Tool == "RefundTools.IssueRefundAsync");
    }

    [Theory]
    [InlineData("ThroughAbstractBase")]
    [InlineData("OnTheOverride")]
    [InlineData("ThroughVirtualBase")]
    [InlineData("OnTheVirtualOverride")]
    public void A_privileged_base_member_is_refused_without_approval_through_the_base_and_on_the_override(string call)
    {
        object payments = New("Demo.Payments");
        using AgentRun run = _gate.BeginRun(Acme);

        QuotaExceededException e = Assert.Throws<QuotaExceededException>(() => Scenario.Call(LazyAssembly.Value, "Demo.Calls", call, payments));

        Assert.Equal(QuotaReason.ApprovalRequired, e.Reason);
        Assert.Equal(0, Field(payments, "Charges"));
    }

    [Fact]
    public void An_explicit_implementation_of_an_annotated_interface_member_is_guarded_through_the_interface()
    {
        object search = Activator.CreateInstance(LazySearch.Value.GetType("Demo.Search", throwOnError: true)!)!;
        using AgentRun run = _gate.BeginRun(Acme);

        Assert.Equal("found q", Scenario.Call(LazySearch.Value, "Demo.SearchCalls", "ExplicitImplementation", search));

        Assert.Equal(1, run.ToolCalls);
        Assert.Equal(2, run.CostSpent);   // the interface type's category and the member's cost
        Assert.Contains(_audit.Snapshot(), r => r.Tool == "ISearch.Find" && r.Category == "search" && r.Decision == AuditDecision.Completed);
    }

    [Fact]
    public async Task Outside_a_run_every_path_fails_closed()
    {
        object tools = New("Demo.RefundTools");
        await Assert.ThrowsAsync<InvalidOperationException>(() => (Task<string>)Scenario.Call(LazyAssembly.Value, "Demo.Calls", "OnTheClass", tools)!);
        await Assert.ThrowsAsync<InvalidOperationException>(() => (Task<string>)Scenario.Call(LazyAssembly.Value, "Demo.Calls", "ThroughInterface", tools)!);
        Assert.Equal(0, Field(tools, "Refunds"));
    }

    [Fact]
    public void An_implementation_that_contradicts_its_interface_is_a_conflict_on_its_declaration()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using AgentQuotas;
            public interface IRefunds
            {
                [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
                string Refund(string id);
            }

            public sealed class Cheap : IRefunds
            {
                [QuotaCategory("search"), Cost(5), Privileged]
                public string Refund(string id) => id;
            }
            """);

        Diagnostic[] conflicts = [.. run.GeneratorDiagnostics.Where(d => d.Id == "AQ1004")];
        Assert.Equal(3, conflicts.Length);
        Assert.All(conflicts, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.All(conflicts, d => Assert.Equal(10, d.Location.GetLineSpan().StartLinePosition.Line));   // 'Refund' in Cheap
        Assert.Contains(conflicts, d => d.GetMessage().Contains("has [Cost(5)] but 'IRefunds.Refund', which it implements, has [Cost(1)]", StringComparison.Ordinal));
        Assert.Contains(conflicts, d => d.GetMessage().Contains("category 'search'", StringComparison.Ordinal) && d.GetMessage().Contains("category 'payments'", StringComparison.Ordinal));
        Assert.Contains(conflicts, d => d.GetMessage().Contains("without approval", StringComparison.Ordinal) && d.GetMessage().Contains("approval stays required", StringComparison.Ordinal));
    }

    [Fact]
    public void An_override_that_repeats_its_base_annotations_is_no_conflict()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using AgentQuotas;
            public abstract class Base
            {
                [QuotaCategory("payments"), Cost(1)]
                public abstract string Refund(string id);
            }

            public sealed class Same : Base
            {
                [QuotaCategory("payments"), Cost(1)]
                public override string Refund(string id) => id;

                public string Use() => Refund("x");
            }
            """);

        run.AssertClean();
    }

    private static object New(string type) => Activator.CreateInstance(LazyAssembly.Value.GetType(type, throwOnError: true)!)!;

    private static int Field(object target, string name) => (int)target.GetType().GetField(name)!.GetValue(target)!;
}

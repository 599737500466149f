using System.Collections.Immutable;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// Issue 14, item 1: paths that ran a privileged tool without approval and without a diagnostic: a call through
/// an unannotated interface member or base member, through <c>dynamic</c>, and through reflection with a
/// computed name or a scan. Each is AQ0004 now (each test failed before the change); annotating the interface or
/// base member (which the generator then guards) silences it.
/// </summary>
public sealed class PrivilegedBypassTests
{
    private static Task<ImmutableArray<Diagnostic>> Verify(string source) => AgentQuotasAnalyzerTest.VerifyAsync(source, "AQ0004");

    [Fact]
    public async Task Implementing_an_unannotated_interface_member_is_reported_with_the_fix()
    {
        var diagnostics = await Verify("""
            public interface IRefunds
            {
                Task<string> IssueRefundAsync(string orderId);
            }

            [QuotaCategory("payments")]
            public class Payments : IRefunds
            {
                [Cost(1), Privileged(RequiresApproval = true)]
                public Task<string> [|IssueRefundAsync|](string orderId) => Task.FromResult(orderId);
            }

            public interface IVoids { Task VoidAsync(string orderId); }

            [QuotaCategory("payments")]
            public class Voids : IVoids
            {
                [Cost(1), Privileged]
                Task IVoids.[|VoidAsync|](string orderId) => Task.CompletedTask;
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage() ==
            "Privileged tool 'Payments.IssueRefundAsync' is unguarded: it implements 'IRefunds.IssueRefundAsync', which is not [Privileged], so calls through the interface are not intercepted and run it without the guard or approval; "
            + "copy [Privileged], [Cost] and the category to 'IRefunds.IssueRefundAsync' (implementations inherit them)");
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("it implements 'IVoids.VoidAsync', which is not [Privileged]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Overriding_an_unannotated_base_member_is_reported()
    {
        var diagnostics = await Verify("""
            public abstract class PaymentToolBase
            {
                public abstract Task<string> IssueRefundAsync(string orderId);
                public virtual Task<string> ChargeAsync(string orderId) => Task.FromResult(orderId);
            }

            [QuotaCategory("payments")]
            public class Payments : PaymentToolBase
            {
                [Cost(1), Privileged(RequiresApproval = true)]
                public override Task<string> [|IssueRefundAsync|](string orderId) => Task.FromResult(orderId);

                [Cost(1), Privileged]
                public override Task<string> [|ChargeAsync|](string orderId) => Task.FromResult(orderId);
            }
            """);

        Assert.All(diagnostics, d => Assert.Contains("which is not [Privileged], so calls through the base type are not intercepted", d.GetMessage()));
    }

    [Fact]
    public async Task Interface_or_base_members_in_another_assembly_get_the_other_fix()
    {
        var diagnostics = await Verify("""
            [QuotaCategory("payments")]
            public class Shredder : IAsyncDisposable
            {
                [Cost(1), Privileged]
                public ValueTask [|DisposeAsync|]() => ValueTask.CompletedTask;
            }
            """);

        Assert.EndsWith(
            "do not expose the tool through 'IAsyncDisposable.DisposeAsync', which is declared in another assembly: implement it with a method that calls the tool directly (that call is intercepted)",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Annotated_interface_and_base_members_guard_every_call_and_are_not_reported()
    {
        await Verify("""
            public interface IRefunds
            {
                [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
                Task<string> IssueRefundAsync(string orderId);
            }

            public abstract class PaymentToolBase
            {
                [QuotaCategory("payments"), Cost(1), Privileged]
                public abstract Task<string> ChargeAsync(string orderId);
            }

            [QuotaCategory("payments")]
            public class Payments : PaymentToolBase, IRefunds
            {
                [Cost(1), Privileged(RequiresApproval = true)]
                public Task<string> IssueRefundAsync(string orderId) => Task.FromResult(orderId);

                [Cost(1), Privileged]
                public override Task<string> ChargeAsync(string orderId) => Task.FromResult(orderId);

                public Task<string> Unrelated(string orderId) => Task.FromResult(orderId);
            }
            """);
    }

    [Fact]
    public async Task Dynamic_calls_that_could_reach_a_privileged_tool_are_reported()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("payments")]
            public class Payments
            {
                [Cost(1), Privileged(RequiresApproval = true)]
                public Task<string> IssueRefundAsync(string orderId) => Task.FromResult(orderId);

                [Cost(1)]
                public Task<string> LookupAsync(string orderId) => Task.FromResult(orderId);
            }

            public class Weather
            {
                public Task<string> IssueRefundAsync(string city) => Task.FromResult(city);
            }

            public class Agent
            {
                public async Task RunAsync(Payments payments, dynamic anything, object boxed, dynamic orderId)
                {
                    dynamic tools = payments;
                    await {|AQ0004:tools.IssueRefundAsync("o-1")|};
                    await {|AQ0004:anything.IssueRefundAsync("o-2")|};
                    await {|AQ0004:((dynamic)boxed).IssueRefundAsync("o-3")|};
                    await {|AQ0004:payments.IssueRefundAsync(orderId)|};      // a dynamic argument binds at run time too
                    await {|AQ0007:anything.LookupAsync("o-4")|};

                    // The receiver is traced to a type that cannot be the tool's.
                    dynamic weather = new Weather();
                    await weather.IssueRefundAsync("Paris");
                    await anything.SomethingElse();
                }
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage() ==
            "Privileged tool 'Payments.IssueRefundAsync' is unguarded: it may be called dynamically here ('dynamic' is bound at run time, and such calls are never intercepted); call it through a statically typed reference");
    }

    [Fact]
    public async Task Reflection_with_computed_names_or_scans_on_the_tools_type_is_reported()
    {
        var diagnostics = await Verify("""
            using System.Reflection;

            [QuotaCategory("payments")]
            public class Payments
            {
                [Cost(1), Privileged(RequiresApproval = true)]
                public Task<string> IssueRefundAsync(string orderId) => Task.FromResult(orderId);
            }

            public class Catalog
            {
                public string Describe() => "plain";
            }

            public class Dispatcher
            {
                public object? Run(Payments payments, string toolName)
                {
                    MethodInfo? method = [|typeof(Payments).GetMethod(toolName)|];
                    foreach (MethodInfo candidate in [|payments.GetType().GetMethods()|]) { }
                    Type type = typeof(Payments);
                    MemberInfo[] members = [|type.GetMember("Issue" + toolName)|];
                    object? result = [|type.InvokeMember(toolName, BindingFlags.InvokeMethod, null, payments, new object[] { "o-1" })|];
                    var viaRuntime = [|typeof(Payments).GetRuntimeMethods()|];
                    var named = [|typeof(Payments).GetRuntimeMethod(toolName, new[] { typeof(string) })|];
                    var asDelegate = [|Delegate.CreateDelegate(typeof(Func<string, Task<string>>), payments, toolName)|];

                    // No privileged tool on the type, or a type we cannot tell: nothing to say.
                    typeof(Catalog).GetMethods();
                    typeof(Catalog).GetMethod(toolName);
                    Type.GetType(toolName)?.GetMethods();
                    return result;
                }
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage() ==
            "Privileged tool 'Payments.IssueRefundAsync' is unguarded: 'Type.GetMethods' lists the methods of 'Payments', so it can reach the tool and run it by reflection, which the guard cannot wrap; "
            + "look methods up by a literal name (so calls through them are checked), or call the tool directly or through the generated AIFunction");
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("'Type.GetMethod' looks up a method of 'Payments' by a computed name", StringComparison.Ordinal));
    }
}

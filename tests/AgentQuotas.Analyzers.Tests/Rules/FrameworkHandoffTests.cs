using System.Collections.Immutable;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// AQ0004: a privileged tool handed to a framework that calls it by reflection or through a delegate, while no
/// AgentQuotas integration for that framework is registered in the compilation. The integrations are built
/// elsewhere; these tests declare them with the names they register under (WellKnownNames).
/// </summary>
public sealed class FrameworkHandoffTests
{
    private const string Payments = """

        namespace Shop
        {
            using System.ComponentModel;
            using Microsoft.SemanticKernel;
            using ModelContextProtocol.Server;

            [QuotaCategory("payments"), McpServerToolType]
            public sealed class PaymentsPlugin
            {
                [KernelFunction, McpServerTool, Description("Refunds an order")]
                [Cost(1), Privileged(RequiresApproval = true)]
                public Task<string> RefundAsync(string orderId) => Task.FromResult(orderId);

                [KernelFunction, McpServerTool, Description("Looks an order up")]
                [Cost(1)]
                public Task<string> LookupAsync(string orderId) => Task.FromResult(orderId);

                [Cost(1), Privileged]
                public static string Void(string orderId) => orderId; // privileged, but no framework attribute: never exposed by type
            }

            [QuotaCategory("payments")]
            public sealed class ReadOnlyPlugin
            {
                [KernelFunction, Cost(1)]
                public string Balance() => "0";
            }
        }
        """;

    private const string Integrations = """

        namespace AgentQuotas.SemanticKernel
        {
            public static class AgentQuotasKernelExtensions
            {
                public static Microsoft.SemanticKernel.Kernel UseAgentQuotas(this Microsoft.SemanticKernel.Kernel kernel) => kernel;
                public static Microsoft.SemanticKernel.IKernelBuilder AddAgentQuotas(this Microsoft.SemanticKernel.IKernelBuilder builder) => builder;
            }
        }

        namespace AgentQuotas.Extensions.AI
        {
            public static class AgentQuotasChatClientBuilderExtensions
            {
                public static Microsoft.Extensions.AI.ChatClientBuilder UseAgentQuotas(this Microsoft.Extensions.AI.ChatClientBuilder builder) => builder;
            }

            public static class AgentQuotasAIFunctionExtensions
            {
                public static Microsoft.Extensions.AI.AIFunction WithAgentQuotas(this Microsoft.Extensions.AI.AIFunction function) => function;
            }
        }

        namespace AgentQuotas.Agents.AI
        {
            public static class AgentQuotasAgentBuilderExtensions
            {
                public static Microsoft.Agents.AI.AIAgentBuilder UseAgentQuotas(this Microsoft.Agents.AI.AIAgentBuilder builder) => builder;
            }
        }

        namespace AgentQuotas.ModelContextProtocol
        {
            public static class AgentQuotasMcpServerBuilderExtensions
            {
                public static Microsoft.Extensions.DependencyInjection.IMcpServerBuilder AddAgentQuotas(this Microsoft.Extensions.DependencyInjection.IMcpServerBuilder builder) => builder;
            }
        }
        """;

    private static Task<ImmutableArray<Diagnostic>> Verify(string source, bool withIntegrations = false) =>
        new AgentQuotasAnalyzerTest
        {
            Sources = { source + Payments + (withIntegrations ? Integrations : "") },
            DefaultId = "AQ0004",
            ReferenceFrameworks = true,
        }.RunAsync();

    [Fact]
    public async Task Semantic_Kernel_plugins_from_objects_types_and_methods_are_reported_without_the_integration()
    {
        var diagnostics = await Verify("""
            using Microsoft.SemanticKernel;
            using Shop;

            public class Setup
            {
                public Kernel Build(PaymentsPlugin payments)
                {
                    IKernelBuilder builder = Kernel.CreateBuilder();
                    [|builder.Plugins.AddFromType<PaymentsPlugin>()|];
                    Kernel kernel = builder.Build();
                    [|kernel.Plugins.AddFromObject(payments)|];
                    [|kernel.ImportPluginFromObject(new PaymentsPlugin(), "payments")|];
                    [|kernel.ImportPluginFromType<PaymentsPlugin>()|];
                    kernel.Plugins.Add([|KernelPluginFactory.CreateFromType<PaymentsPlugin>()|]);
                    kernel.Plugins.Add([|KernelPluginFactory.CreateFromObject(payments, "p2")|]);
                    kernel.Plugins.AddFromFunctions("manual", [[|KernelFunctionFactory.CreateFromMethod(payments.RefundAsync)|]]);

                    // Nothing privileged in these.
                    kernel.ImportPluginFromType<ReadOnlyPlugin>();
                    kernel.Plugins.AddFromFunctions("lookup", [KernelFunctionFactory.CreateFromMethod((string id) => payments.LookupAsync(id))]);
                    return kernel;
                }
            }
            """);

        Assert.All(diagnostics, d => Assert.StartsWith("Privileged tool 'PaymentsPlugin.RefundAsync' is unguarded: ", d.GetMessage(), StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.GetMessage().EndsWith(
            "Semantic Kernel calls it by reflection ('KernelExtensions.ImportPluginFromObject'), where no interceptor runs, and no AgentQuotas integration for Semantic Kernel is registered in this project; register kernel.UseAgentQuotas(...) or kernelBuilder.AddAgentQuotas(...) (AgentQuotas.SemanticKernel)",
            StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("Semantic Kernel calls it through a delegate ('KernelFunctionFactory.CreateFromMethod')", StringComparison.Ordinal));

        // The integration is not referenced at all, so nothing can register it: reported at once, not at the end.
        Assert.All(diagnostics, d => Assert.DoesNotContain(WellKnownDiagnosticTags.CompilationEnd, d.Descriptor.CustomTags));
    }

    [Fact]
    public async Task Semantic_Kernel_handoffs_are_reported_at_the_end_when_the_integration_is_referenced_but_not_registered()
    {
        var diagnostics = await Verify("""
            using Microsoft.SemanticKernel;
            using Shop;

            public class Setup
            {
                public Kernel Build()
                {
                    Kernel kernel = Kernel.CreateBuilder().Build();
                    [|kernel.ImportPluginFromType<PaymentsPlugin>()|];
                    return kernel;
                }
            }
            """, withIntegrations: true);

        Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, diagnostics.Single().Descriptor.CustomTags);
    }

    [Theory]
    [InlineData("kernel.UseAgentQuotas();")]
    [InlineData("Kernel.CreateBuilder().AddAgentQuotas();")]
    public async Task Registering_the_Semantic_Kernel_integration_anywhere_guards_the_plugins(string registration)
    {
        await new AgentQuotasAnalyzerTest
        {
            Sources =
            {
                """
                using Microsoft.SemanticKernel;
                using Shop;

                public class Setup
                {
                    public Kernel Build(PaymentsPlugin payments)
                    {
                        Kernel kernel = Kernel.CreateBuilder().Build();
                        kernel.ImportPluginFromType<PaymentsPlugin>();
                        kernel.Plugins.AddFromObject(payments);
                        return kernel;
                    }
                }
                """ + Payments + Integrations,
                $$"""
                using AgentQuotas.SemanticKernel;
                using Microsoft.SemanticKernel;

                public static class Startup
                {
                    public static void Configure(Kernel kernel) { {{registration}} }
                }
                """,
            },
            ReferenceFrameworks = true,
        }.RunAsync();
    }

    [Fact]
    public async Task AIFunctionFactory_handoffs_are_reported_and_name_the_fix()
    {
        var diagnostics = await Verify("""
            using System.Reflection;
            using Shop;

            public class Setup
            {
                public IList<AITool> Tools(PaymentsPlugin payments)
                {
                    Func<string, Task<string>> refund = payments.RefundAsync;
                    MethodInfo method = typeof(PaymentsPlugin).GetMethod("RefundAsync")!;
                    return
                    [
                        [|AIFunctionFactory.Create(payments.RefundAsync)|],
                        [|AIFunctionFactory.Create(method, payments)|],
                        [|AIFunctionFactory.Create(PaymentsPlugin.Void, "void")|],
                        AIFunctionFactory.Create((string id) => payments.RefundAsync(id), "refund"),
                    ];
                }
            }
            """.Replace("Func<string, Task<string>> refund = payments.RefundAsync;", "Func<string, Task<string>> refund = {|AQ0004:payments.RefundAsync|};"));

        Assert.Contains(diagnostics, d => d.GetMessage() ==
            "Privileged tool 'PaymentsPlugin.RefundAsync' is unguarded: the AIFunction made by 'AIFunctionFactory.Create' calls it through a delegate, where no interceptor runs, and no AgentQuotas integration guards function calls in this project; "
            + "wrap the function with .WithAgentQuotas(), or register chatClientBuilder.UseAgentQuotas(...) (AgentQuotas.Extensions.AI) or agentBuilder.UseAgentQuotas(...) (AgentQuotas.Agents.AI)");
    }

    [Fact]
    public async Task AIFunctionFactory_handoffs_wrapped_with_WithAgentQuotas_are_guarded()
    {
        await Verify("""
            using AgentQuotas.Extensions.AI;
            using Shop;

            public class Setup
            {
                public AIFunction Refund(PaymentsPlugin payments) => AIFunctionFactory.Create(payments.RefundAsync).WithAgentQuotas();

                public AIFunction Unwrapped(PaymentsPlugin payments) => [|AIFunctionFactory.Create(payments.RefundAsync)|];
            }
            """, withIntegrations: true);
    }

    [Theory]
    [InlineData("new ChatClientBuilder(inner).UseAgentQuotas().Build()")]
    [InlineData("inner.AsBuilder().UseAgentQuotas().Build()")]
    public async Task A_registered_chat_client_integration_guards_AIFunctions(string pipeline)
    {
        await Verify($$"""
            using AgentQuotas.Extensions.AI;
            using Shop;

            public class Setup
            {
                public AIFunction Refund(PaymentsPlugin payments) => AIFunctionFactory.Create(payments.RefundAsync);

                public IChatClient Client(IChatClient inner) => {{pipeline}};
            }
            """, withIntegrations: true);
    }

    [Theory]
    [InlineData("new ChatClientBuilder(inner).UseAgentQuotas().Build()")]
    [InlineData("inner.AsBuilder().UseAgentQuotas().Build()")]
    public async Task A_budgeted_tool_handed_over_as_a_method_group_is_guarded_by_a_registered_integration(string pipeline)
    {
        // The integration finds the tool by the AIFunction's method and guards it like a direct call: no AQ0007.
        await Verify($$"""
            using AgentQuotas.Extensions.AI;
            using Shop;

            public class Setup
            {
                public AIFunction Lookup(PaymentsPlugin payments) => AIFunctionFactory.Create(payments.LookupAsync);

                public IChatClient Client(IChatClient inner) => {{pipeline}};
            }
            """, withIntegrations: true);
    }

    [Fact]
    public async Task A_budgeted_tool_handed_over_as_a_method_group_is_AQ0007_at_the_end_when_no_integration_is_registered()
    {
        var diagnostics = await Verify("""
            using Shop;

            public class Setup
            {
                public AIFunction Lookup(PaymentsPlugin payments) => AIFunctionFactory.Create({|AQ0007:payments.LookupAsync|});

                // A delegate that is not handed to a framework stays AQ0007 whatever is registered.
                public Func<string, Task<string>> Raw(PaymentsPlugin payments) => {|AQ0007:payments.LookupAsync|};
            }
            """, withIntegrations: true);

        Assert.Contains(diagnostics, d => d.Id == "AQ0007" && d.GetMessage() ==
            "Guarded tool 'PaymentsPlugin.LookupAsync' is handed to 'AIFunctionFactory.Create' as a method group, and no AgentQuotas integration for "
            + "Microsoft.Extensions.AI or the Agent Framework (chatClientBuilder.UseAgentQuotas(...), agentBuilder.UseAgentQuotas(...), or .WithAgentQuotas() on the function) "
            + "is registered in this project, so calls through it are not wrapped by the quota guard; call it directly or hand the model the generated AIFunction");
    }

    [Fact]
    public async Task A_registered_integration_for_another_framework_does_not_guard_a_method_group()
    {
        await Verify("""
            using AgentQuotas.SemanticKernel;
            using Microsoft.SemanticKernel;
            using Shop;

            public class Setup
            {
                public AIFunction Lookup(PaymentsPlugin payments, Kernel kernel)
                {
                    kernel.UseAgentQuotas();
                    return AIFunctionFactory.Create({|AQ0007:payments.LookupAsync|});
                }
            }
            """, withIntegrations: true);
    }

    [Fact]
    public async Task A_registered_Agent_Framework_integration_guards_AIFunctions_but_not_plugins()
    {
        await Verify("""
            using AgentQuotas.Agents.AI;
            using Microsoft.Agents.AI;
            using Microsoft.SemanticKernel;
            using Shop;

            public class Setup
            {
                public AIAgent Agent(AIAgent inner, PaymentsPlugin payments, Kernel kernel)
                {
                    AIFunction refund = AIFunctionFactory.Create(payments.RefundAsync);
                    [|kernel.ImportPluginFromObject(payments)|];
                    return inner.AsBuilder().UseAgentQuotas().Build();
                }
            }
            """, withIntegrations: true);
    }

    [Fact]
    public async Task MCP_tool_registrations_are_reported_until_the_integration_is_registered()
    {
        var diagnostics = await Verify("""
            using Microsoft.Extensions.DependencyInjection;
            using ModelContextProtocol.Server;
            using Shop;

            public class Setup
            {
                public void Configure(IServiceCollection services, PaymentsPlugin payments)
                {
                    IMcpServerBuilder mcp = services.AddMcpServer();
                    [|mcp.WithTools<PaymentsPlugin>()|];
                    [|mcp.WithTools(payments)|];
                    [|mcp.WithTools((IEnumerable<Type>)[typeof(PaymentsPlugin)])|];
                    [|mcp.WithToolsFromAssembly()|];
                    [|McpServerTool.Create(payments.RefundAsync)|];
                    mcp.WithTools<ReadOnlyPlugin>();
                }
            }
            """, withIntegrations: true);

        Assert.Contains(diagnostics, d => d.GetMessage().EndsWith(
            "the MCP server calls it by reflection ('McpServerBuilderExtensions.WithTools'), where no interceptor runs, and no AgentQuotas integration for MCP is registered in this project; register mcpServerBuilder.AddAgentQuotas(...) (AgentQuotas.ModelContextProtocol)",
            StringComparison.Ordinal));

        await Verify("""
            using AgentQuotas.ModelContextProtocol;
            using Microsoft.Extensions.DependencyInjection;
            using Shop;

            public class Setup
            {
                public void Configure(IServiceCollection services) =>
                    services.AddMcpServer().AddAgentQuotas().WithTools<PaymentsPlugin>().WithToolsFromAssembly();
            }
            """, withIntegrations: true);
    }

    [Fact]
    public async Task One_framework_registration_does_not_guard_another_framework()
    {
        await Verify("""
            using AgentQuotas.SemanticKernel;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.SemanticKernel;
            using Shop;

            public class Setup
            {
                public void Configure(IServiceCollection services, Kernel kernel)
                {
                    kernel.UseAgentQuotas();
                    kernel.ImportPluginFromType<PaymentsPlugin>();
                    [|services.AddMcpServer().WithTools<PaymentsPlugin>()|];
                }
            }
            """, withIntegrations: true);
    }
}

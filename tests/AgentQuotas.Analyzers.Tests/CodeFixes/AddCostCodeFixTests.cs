using AgentQuotas.Analyzers.CodeFixes;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AgentQuotas.Analyzers.Tests.CodeFixes;

/// <summary>The AQ0001 / AQ0004 fix: add [Cost(1)] and, when missing, a category from the policy.</summary>
public sealed class AddCostCodeFixTests
{
    [Fact]
    public async Task Adds_cost_to_a_tool_of_a_categorised_class()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddCostCodeFixProvider(),
            ExpectedTitle = "Add [Cost(1)]",
            Sources =
            {
                """
                using AgentQuotas;

                namespace App;

                [QuotaCategory("search")]
                public class Tools
                {
                    /// <summary>Searches.</summary>
                    [AgentTool("search", "Searches")]
                    public string {|AQ0001:Search|}(string q) => q;
                }
                """,
            },
            FixedSources =
            {
                """
                using AgentQuotas;

                namespace App;

                [QuotaCategory("search")]
                public class Tools
                {
                    /// <summary>Searches.</summary>
                    [AgentTool("search", "Searches")]
                    [Cost(1)]
                    public string Search(string q) => q;
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public async Task Adds_cost_and_the_chosen_category_and_the_using()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddCostCodeFixProvider(),
            ActionIndex = 1,
            ExpectedTitle = "Add [Cost(1)] and [QuotaCategory(\"payments\")]",
            Sources =
            {
                """
                namespace App
                {
                    public class Tools
                    {
                        // the tool the model calls
                        [AgentQuotas.AgentTool("lookup", "Looks up")]
                        public string {|AQ0001:Lookup|}(string key) => key;
                    }
                }
                """,
            },
            FixedSources =
            {
                """
                using AgentQuotas;

                namespace App
                {
                    public class Tools
                    {
                        // the tool the model calls
                        [AgentQuotas.AgentTool("lookup", "Looks up")]
                        [Cost(1)]
                        [QuotaCategory("payments")]
                        public string Lookup(string key) => key;
                    }
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public async Task Adds_only_the_category_to_a_privileged_tool_that_has_a_cost()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddCostCodeFixProvider(),
            ExpectedTitle = "Add [QuotaCategory(\"search\")]",
            Sources =
            {
                """
                using AgentQuotas;

                public class Tools
                {
                    [Cost(2), Privileged]
                    public void {|AQ0004:Delete|}(string id) { }
                }
                """,
            },
            FixedSources =
            {
                """
                using AgentQuotas;

                public class Tools
                {
                    [Cost(2), Privileged]
                    [QuotaCategory("search")]
                    public void Delete(string id) { }
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_all_budgets_every_tool_in_the_document_with_one_category()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddCostCodeFixProvider(),
            FixAllScope = FixAllScope.Document,
            ActionIndex = 0,
            Sources =
            {
                """
                using AgentQuotas;

                public class Tools
                {
                    [AgentTool("a", "A")]
                    public void {|AQ0001:A|}() { }

                    [Cost(3)]
                    public void {|AQ0001:B|}() { }

                    [QuotaCategory("payments")]
                    public void {|AQ0001:C|}() { }
                }
                """,
            },
            FixedSources =
            {
                """
                using AgentQuotas;

                public class Tools
                {
                    [AgentTool("a", "A")]
                    [Cost(1)]
                    [QuotaCategory("search")]
                    public void A() { }

                    [Cost(3)]
                    [QuotaCategory("search")]
                    public void B() { }

                    [QuotaCategory("payments")]
                    [Cost(1)]
                    public void C() { }
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public async Task Adds_cost_to_a_KernelFunction()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddCostCodeFixProvider(),
            ReferenceFrameworks = true,
            ExpectedTitle = "Add [Cost(1)]",
            Sources =
            {
                """
                using System.ComponentModel;
                using AgentQuotas;
                using Microsoft.SemanticKernel;

                [QuotaCategory("search")]
                public sealed class MenuPlugin
                {
                    [KernelFunction, Description("Provides a list of specials from the menu.")]
                    public string {|AQ0001:GetSpecials|}() => "Clam Chowder";
                }
                """,
            },
            FixedSources =
            {
                """
                using System.ComponentModel;
                using AgentQuotas;
                using Microsoft.SemanticKernel;

                [QuotaCategory("search")]
                public sealed class MenuPlugin
                {
                    [KernelFunction, Description("Provides a list of specials from the menu.")]
                    [Cost(1)]
                    public string GetSpecials() => "Clam Chowder";
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public async Task Adds_a_budget_to_a_local_function_handed_to_AIFunctionFactory()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new AddCostCodeFixProvider(),
            ReferenceFrameworks = true,
            OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication,
            ExpectedTitle = "Add [Cost(1)] and [QuotaCategory(\"search\")]",
            Sources =
            {
                """
                using System.ComponentModel;

                var weather = AIFunctionFactory.Create(GetWeather);
                Console.WriteLine(weather.Name);

                [Description("Gets the weather")]
                static string {|AQ0001:GetWeather|}(string city) => "sunny in " + city;
                """,
            },
            FixedSources =
            {
                """
                using System.ComponentModel;
                using AgentQuotas;

                var weather = AIFunctionFactory.Create({|AQ0007:GetWeather|});
                Console.WriteLine(weather.Name);

                [Description("Gets the weather")]
                [Cost(1)]
                [QuotaCategory("search")]
                static string GetWeather(string city) => "sunny in " + city;
                """,
            },
        }.RunAsync();
    }
}

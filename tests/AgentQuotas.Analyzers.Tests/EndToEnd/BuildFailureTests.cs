using AgentQuotas.Analyzers.Tests.Harness;

namespace AgentQuotas.Analyzers.Tests.EndToEnd;

/// <summary>
/// Real builds: projects that reference the analyzers as an analyzer (as a package would) fail
/// <c>dotnet build</c> with exactly the expected AQ errors. Both builds are in one class so they run one
/// after the other.
/// </summary>
public sealed class BuildFailureTests
{
    [Fact]
    public async Task Sample_with_an_unbudgeted_tool_and_an_unbounded_loop_fails_with_AQ0001_and_AQ0003()
    {
        BuildResult result = await DotnetBuild.RunAsync(RepositoryPaths.Combine("samples", "Unbudgeted", "Unbudgeted.csproj"));

        Assert.True(result.ExitCode != 0, "The build should fail:\n" + result.Output);
        Assert.True(new[] { "AQ0001", "AQ0003" }.SequenceEqual(result.ErrorIds), "Unexpected errors:\n" + result.Output);
        Assert.Contains(result.ErrorLines, l => l.Contains("ShopTools.cs(16,25): error AQ0001: Agent tool 'OrderStatusAsync' has no [Cost]", StringComparison.Ordinal));
        Assert.Contains(result.ErrorLines, l => l.Contains("ShopAssistant.cs(12,9): error AQ0003: This while loop is an unbounded agent loop: it calls chat model 'IChatClient.GetResponseAsync'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fixture_with_a_category_missing_from_the_policy_fails_with_AQ0002()
    {
        BuildResult result = await DotnetBuild.RunAsync(RepositoryPaths.Combine("tests", "Fixtures", "UnknownCategory", "UnknownCategory.csproj"));

        Assert.True(result.ExitCode != 0, "The build should fail:\n" + result.Output);
        Assert.True(new[] { "AQ0002" }.SequenceEqual(result.ErrorIds), "Unexpected errors:\n" + result.Output);
        Assert.Contains(result.ErrorLines, l => l.Contains("BillingTools.cs(14,20): error AQ0002: Category 'payments' has no budget in agentquotas.json", StringComparison.Ordinal));
    }
}

using Microsoft.Extensions.Configuration;

namespace AgentQuotas.Tests.Hosting;

/// <summary>A temporary folder with a policy file, and configuration built in memory.</summary>
internal sealed class HostingFixture : IDisposable
{
    public HostingFixture(string policy = TestPolicies.Design)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("aq-hosting").FullName;
        PolicyPath = Path.Combine(Directory, "agentquotas.json");
        File.WriteAllText(PolicyPath, policy);
    }

    public string Directory { get; }

    public string PolicyPath { get; }

    public static string PolicyText(string version, double capacity = 10) => $$"""
        { "version": "{{version}}", "tiers": { "t": { "categories": { "search": { "capacity": {{capacity}}, "refillPerSecond": 1 } } } }, "defaultTier": "t" }
        """;

    /// <summary>The "AgentQuotas" section of a configuration with PolicyPath set to the fixture's file and the given keys (relative to the section).</summary>
    public IConfigurationSection Section(params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["AgentQuotas:PolicyPath"] = PolicyPath };
        foreach ((string key, string? value) in settings)
        {
            values["AgentQuotas:" + key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("AgentQuotas");
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

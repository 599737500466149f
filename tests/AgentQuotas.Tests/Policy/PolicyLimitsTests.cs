using System.Text;
using AgentQuotas.Policy;
using Xunit.Abstractions;

namespace AgentQuotas.Tests.Policy;

/// <summary>
/// A policy is a reviewed file, not a database: what it may hold is capped (documented in docs/policy.md),
/// errors stop being collected past a limit, and any file answers quickly and in bounded memory. Measured
/// by the work (bytes allocated, errors collected), not by the wall clock.
/// </summary>
public sealed class PolicyLimitsTests(ITestOutputHelper output)
{
    private const string Tier = "\"tiers\": { \"standard\": { \"categories\": { \"search\": { \"capacity\": 10, \"refillPerSecond\": 1 } } } }";

    [Fact]
    public void Errors_stop_being_collected_past_the_limit()
    {
        var json = new StringBuilder("{ \"version\": \"v1\", ").Append(Tier);
        for (int i = 0; i < 200_000; i++)
        {
            json.Append(", \"unknown").Append(i).Append("\": 0");
        }

        json.Append(" }");
        long before = GC.GetAllocatedBytesForCurrentThread();
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json.ToString(), "big.json"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{json.Length:N0} chars, {e.Errors.Count} errors, {allocated:N0} bytes allocated");

        Assert.Equal(101, e.Errors.Count);
        Assert.All(e.Errors.Take(100), x => Assert.Equal(PolicyErrorKind.UnknownField, x.Kind));
        Assert.Contains("stopped after 100 errors", e.Errors[100].Message);
        Assert.True(allocated < 400_000_000, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void A_policy_with_more_tenants_than_the_limit_is_refused_with_the_limit()
    {
        var json = new StringBuilder("{ \"version\": \"v1\", ").Append(Tier).Append(", \"tenants\": {");
        for (int i = 0; i <= 100_000; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("\"t").Append(i).Append("\": { \"tier\": \"standard\" }");
        }

        json.Append("} }");
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json.ToString(), "tenants.json"));
        PolicyError error = Assert.Single(e.Errors);
        Assert.Equal("$.tenants", error.Path);
        Assert.Contains("100000", error.Message.Replace(",", ""));
    }

    [Fact]
    public void A_file_past_the_size_limit_is_refused_before_it_is_read()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("aq-size").FullName, "huge.json");
        try
        {
            using (var writer = new StreamWriter(path))
            {
                writer.Write("{ \"version\": \"v1\", " + Tier);
                for (int i = 0; writer.BaseStream.Length < 60_000_000; i++)
                {
                    writer.Write(", \"f" + i + "\": 0");
                    if (i % 10_000 == 0)
                    {
                        writer.Flush();
                    }
                }

                writer.Write(" }");
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Load(path));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"{new FileInfo(path).Length:N0} bytes: {e.Errors[0]}; {allocated:N0} bytes allocated");
            PolicyError error = Assert.Single(e.Errors);
            Assert.Equal((1, 1), (error.Line, error.Column));
            Assert.Contains("MB", error.Message);
            Assert.True(allocated < 10_000_000, $"{allocated:N0} bytes allocated");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void A_file_under_the_size_limit_made_of_tiny_values_is_refused_by_its_value_count_in_bounded_memory()
    {
        var json = new StringBuilder("{ \"version\": \"v1\", ").Append(Tier).Append(", \"x\": [");
        for (int i = 0; i < 4_000_000; i++)
        {
            json.Append(i == 0 ? "0" : ",0");
        }

        json.Append("] }");
        long before = GC.GetAllocatedBytesForCurrentThread();
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json.ToString(), "values.json"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{json.Length:N0} chars: {e.Errors[0]}; {allocated:N0} bytes allocated");
        Assert.Contains("values", e.Errors[0].Message);
        Assert.True(allocated < 500_000_000, $"{allocated:N0} bytes allocated");
    }

    [Theory]
    [InlineData("\"a\\u0000b\"", "control")]
    [InlineData("\"a\\nb\"", "control")]
    [InlineData("\"\\ud800x\"", "surrogate")]
    public void Tenant_ids_follow_the_identity_rule(string tenant, string reason)
    {
        string json = "{ \"version\": \"v1\", " + Tier + ", \"tenants\": { " + tenant + ": { \"tier\": \"standard\" } } }";
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "t.json"));
        PolicyError error = Assert.Single(e.Errors);
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\n', error.Path);
        Assert.DoesNotContain('\0', error.Message);
    }

    [Fact]
    public void A_tenant_id_longer_than_an_identity_allows_is_refused()
    {
        string json = "{ \"version\": \"v1\", " + Tier + ", \"tenants\": { \"" + new string('t', 257) + "\": { \"tier\": \"standard\" } } }";
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "t.json"));
        Assert.Contains("256", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void Every_tenant_id_the_policy_accepts_is_one_an_identity_can_use()
    {
        string tenant = new string('t', 256);
        QuotaPolicy policy = QuotaPolicy.Parse("{ \"version\": \"v1\", " + Tier + ", \"tenants\": { \"" + tenant + "\": { \"tier\": \"standard\" } } }");
        Assert.True(policy.TryResolveTier(new AgentIdentity(tenant, "p").Tenant, out _));
    }

    [Fact]
    public void The_normalized_json_of_a_very_short_anomaly_window_loads_again()
    {
        QuotaPolicy policy;
        try
        {
            policy = QuotaPolicy.Parse("{ \"version\": \"v1\", " + Tier + ", \"defaultTier\": \"standard\", \"anomaly\": { \"factor\": 2, \"window\": \"00:00:00.0000001\" } }");
        }
        catch (PolicyValidationException e)
        {
            // Refusing a window that cannot be divided into intervals is as good as round-tripping it.
            Assert.Contains("interval", Assert.Single(e.Errors).Message);
            return;
        }

        QuotaPolicy again = QuotaPolicy.Parse(policy.ToJson());
        Assert.Equal(policy.Anomaly!.Interval, again.Anomaly!.Interval);
    }
}

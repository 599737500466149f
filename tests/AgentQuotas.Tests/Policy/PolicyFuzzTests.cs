using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Xunit.Abstractions;

namespace AgentQuotas.Tests.Policy;

/// <summary>
/// Seeded fuzzing of the policy loader: thousands of policies mutated from valid ones (values out of range,
/// wrong types, odd names, missing and unknown fields, broken syntax). Every one either loads (and then
/// builds a gate, decides a call, and round-trips through its normalized JSON) or is refused with located
/// one-line errors; nothing else ever escapes. The work is measured (bytes allocated per policy), and the
/// time is reported, with only a generous bound on the total.
/// </summary>
public sealed class PolicyFuzzTests(ITestOutputHelper output)
{
    private const int Policies = 1_500;

    private static readonly string[] Templates =
    [
        TestPolicies.Design,
        """
        {
          "version": "fuzz-2",
          "tiers": {
            "standard": {
              "categories": { "search": { "capacity": 200, "refillPerSecond": 5 }, "tokens": { "capacity": 100000, "refillPerSecond": 50 } },
              "burst": { "multiplier": 3, "maxSeconds": 60 },
              "emergency": { "classes": ["Critical", "High"], "debtMultiplier": 2 },
              "limits": { "maxIterations": 10, "maxToolCalls": 40, "maxCostPerRun": 500, "maxCostPerDay": 20000, "maxCostPerMonth": 400000 }
            },
            "quarantine": { "categories": { "search": { "capacity": 5, "refillPerSecond": 0.1 }, "tokens": { "capacity": 10, "refillPerSecond": 1 } } }
          },
          "tenants": { "acme": { "tier": "standard" }, "globex": { "tier": "quarantine" } },
          "defaultTier": "standard",
          "classes": { "Critical": { "reservedShare": 0.2, "maxQueueWait": "00:00:05", "queueLimit": 10 }, "Batch": { "reservedShare": 0.1 } },
          "aging": { "promoteAfter": "00:00:05" },
          "pools": { "interactive": { "concurrency": 4, "classes": ["Critical", "High"] }, "shared": { "concurrency": 16 } },
          "degradation": ["Full", "DraftOnly", "Queued"],
          "anomaly": { "factor": 3, "window": "01:00:00", "interval": "00:05:00", "minBaseline": 10, "quarantineTier": "quarantine" },
          "circuitBreaker": { "failureThreshold": 5, "breakDuration": "00:00:30", "categories": { "search": { "failureThreshold": 2 } } }
        }
        """,
    ];

    private const string SyntaxNoise = "{[,:\"'}]/\\\u0001";

    private static readonly string[] RawNumbers =
    [
        "-1", "0", "1", "0.5", "1e-300", "1e308", "NaN", "Infinity", "-Infinity", "1e12", "1e13", "1e7", "10000001",
        "0.0000001", "31536000", "100000000", "1000", "3", "2147483648", "1.5", "99999999999999999999999", "-0",
        "01", "1.", ".5", "1e", "0x10",
    ];

    private static readonly string[] Strings =
    [
        "", " ", "Critical", "Batch", "Full", "Queued", "standard", "quarantine", "nope", "00:00:00", "-00:01:00",
        "00:00:00.0000001", "99999999.00:00:00", "2.00:00:00", "00:02:00", "1 min", "a\u0000b", "\ud800", "a\nb",
        "x\u2028y", new string('n', 300), "😀", "'quoted'",
    ];

    [Fact]
    public void Every_generated_policy_loads_or_is_refused_with_located_errors()
    {
        var random = new Random(20261205);
        int loaded = 0, refused = 0;
        long maxAllocated = 0;
        TimeSpan slowest = TimeSpan.Zero, total = TimeSpan.Zero;
        string? slowestText = null;
        var kinds = new Dictionary<PolicyErrorKind, int>();
        for (int i = 0; i < Policies; i++)
        {
            string text = Mutate(Templates[random.Next(Templates.Length)], random);
            long before = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            QuotaPolicy? policy = null;
            PolicyValidationException? invalid = null;
            try
            {
                policy = QuotaPolicy.Parse(text, "fuzz.json");
            }
            catch (PolicyValidationException e)
            {
                invalid = e;
            }
            catch (Exception e)
            {
                Assert.Fail($"policy {i} escaped with {e.GetType().Name}: {e.Message}\n{text}");
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            total += elapsed;
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (elapsed > slowest)
            {
                (slowest, slowestText) = (elapsed, text);
            }

            Assert.True(allocated < 64_000_000, $"policy {i} allocated {allocated:N0} bytes\n{text}");
            if (policy is not null)
            {
                loaded++;
                Use(policy, text);
            }
            else
            {
                refused++;
                Assert.NotEmpty(invalid!.Errors);
                foreach (PolicyError error in invalid.Errors)
                {
                    Assert.True(error.Line >= 1 && error.Column >= 1, $"policy {i}: unlocated error {error}\n{text}");
                    Assert.False(error.Message.Any(char.IsControl) || error.Path.Any(char.IsControl), $"policy {i}: error not on one line: {error}");
                    kinds[error.Kind] = kinds.GetValueOrDefault(error.Kind) + 1;
                }
            }
        }

        output.WriteLine($"{Policies} policies: {loaded} loaded, {refused} refused; errors by kind: {string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => k.Key + " " + k.Value))}");
        output.WriteLine($"time: {total.TotalMilliseconds:N0} ms in all, slowest {slowest.TotalMilliseconds:N1} ms; most allocated by one policy: {maxAllocated:N0} bytes");
        output.WriteLine("slowest: " + slowestText?.Replace('\n', ' ')[..Math.Min(200, slowestText.Length)]);
        Assert.True(loaded >= Policies / 10 && refused >= Policies / 2, $"the mutations are not varied enough: {loaded} loaded, {refused} refused");
        Assert.True(total < TimeSpan.FromMinutes(2), $"{Policies} policies took {total}"); // generous: a hang, not a slow machine, fails this
    }

    // A loaded policy is usable: a gate decides a call under it, and its normalized JSON loads to the same limits.
    private static void Use(QuotaPolicy policy, string text)
    {
        QuotaPolicy again;
        try
        {
            again = QuotaPolicy.Parse(policy.ToJson(), "normalized.json");
        }
        catch (PolicyValidationException e)
        {
            Assert.Fail($"the normalized JSON of a valid policy is invalid: {e.Message}\n{text}\n{policy.ToJson()}");
            return;
        }

        Assert.Equal(policy.Tiers.Keys.Order(StringComparer.Ordinal), again.Tiers.Keys.Order(StringComparer.Ordinal));
        using var gate = new QuotaGate(policy, new QuotaGateOptions { TimeProvider = TestTime.Create() });
        foreach (TierPolicy tier in policy.Tiers.Values)
        {
            foreach (CategoryBudget budget in tier.Categories.Values)
            {
                Assert.Equal(budget.Limits.Capacity, again.Tiers[tier.Name].Categories[budget.Category].Limits.Capacity);
            }
        }

        string tenant = policy.Tenants.Keys.FirstOrDefault() ?? "someone";
        if (policy.TryResolveTier(tenant, out TierPolicy? resolved))
        {
            string category = resolved.Categories.Keys.First();
            gate.TryAcquire(new QuotaRequest(new AgentIdentity(tenant, "fuzzer"), new QuotaTool("tool", category), 1));
        }
    }

    private static string Mutate(string template, Random random)
    {
        int mutations = 1 + random.Next(4);
        if (random.Next(8) == 0)
        {
            return MutateText(template, random); // syntax
        }

        JsonNode root = JsonNode.Parse(template, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        var raw = new Dictionary<string, string>();
        for (int m = 0; m < mutations; m++)
        {
            List<JsonNode> nodes = Descendants(root).ToList();
            JsonNode target = nodes[random.Next(nodes.Count)];
            switch (random.Next(7))
            {
                case 0 when target is JsonValue && target.Parent is not null:
                    {
                        string marker = "@@raw" + raw.Count + "@@";
                        raw[marker] = RawNumbers[random.Next(RawNumbers.Length)];
                        Replace(target, JsonValue.Create(marker));
                        break;
                    }

                case 1 when target.Parent is not null:
                    Replace(target, JsonValue.Create(Strings[random.Next(Strings.Length)]));
                    break;
                case 2 when target is JsonObject obj && obj.Count > 0:
                    obj.Remove(obj.ElementAt(random.Next(obj.Count)).Key);
                    break;
                case 3 when target is JsonObject obj:
                    obj[Strings[random.Next(Strings.Length)] + (random.Next(3) == 0 ? "" : random.Next(100).ToString(CultureInfo.InvariantCulture))] =
                        random.Next(2) == 0 ? JsonValue.Create(1) : new JsonObject { ["capacity"] = 1, ["refillPerSecond"] = 1 };
                    break;
                case 4 when target.Parent is not null:
                    Replace(target, random.Next(2) == 0 ? new JsonArray(JsonValue.Create("Critical")) : new JsonObject());
                    break;
                case 5 when target is JsonObject obj && obj.Count > 0:
                    {
                        // Rename a member (a tier, a category, a tenant...) to an odd name.
                        var member = obj.ElementAt(random.Next(obj.Count));
                        JsonNode? value = member.Value;
                        obj.Remove(member.Key);
                        obj[Strings[random.Next(Strings.Length)] + "x"] = value;
                        break;
                    }

                case 6 when target is JsonArray array:
                    array.Add(JsonValue.Create(Strings[random.Next(Strings.Length)]));
                    break;
            }
        }

        string text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        foreach ((string marker, string value) in raw)
        {
            text = text.Replace("\"" + marker + "\"", value, StringComparison.Ordinal);
        }

        return text;
    }

    private static string MutateText(string text, Random random)
    {
        var sb = new StringBuilder(text);
        int at = random.Next(sb.Length);
        switch (random.Next(4))
        {
            case 0: return text[..at];                                    // truncated
            case 1: sb.Insert(at, SyntaxNoise[random.Next(SyntaxNoise.Length)]); return sb.ToString();
            case 2: sb.Remove(at, 1); return sb.ToString();
            default: return text.Replace("\"", "'", StringComparison.Ordinal);
        }
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (JsonNode? child in children)
        {
            if (child is not null)
            {
                foreach (JsonNode d in Descendants(child))
                {
                    yield return d;
                }
            }
        }
    }

    private static void Replace(JsonNode target, JsonNode replacement)
    {
        switch (target.Parent)
        {
            case JsonObject obj:
                obj[target.GetPropertyName()] = replacement;
                break;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                break;
        }
    }
}

using System.Globalization;
using System.Text.Json;
using AgentQuotas.Policy.Schema;

namespace AgentQuotas.Policy;

// Writing the policy back as agentquotas.json, with the field names the validator reads (PolicyFields).
public sealed partial class QuotaPolicy
{
    /// <summary>Writes the policy back as JSON (normalized: no comments, defaults omitted).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString(PolicyFields.Root.Version, Version);
            WriteTiers(json);
            WriteMap(json, PolicyFields.Root.Tenants, _tenantTiers.OrderBy(t => t.Key, StringComparer.Ordinal), t => t.Key,
                (w, t) =>
                {
                    w.WriteString(PolicyFields.Tenant.Tier, t.Value.Name);
                    if (_tenantMaxClasses.TryGetValue(t.Key, out WorkloadClass maxClass))
                    {
                        w.WriteString(PolicyFields.Tenant.MaxClass, maxClass.ToString());
                    }
                });
            if (DefaultTier is not null)
            {
                json.WriteString(PolicyFields.Root.DefaultTier, DefaultTier.Name);
            }

            WriteMap(json, PolicyFields.Root.Classes, _classes.Where(c => c.ReservedShare > 0 || c.MaxQueueWait is not null || c.QueueLimit is not null || c.WaitBeforeDraft is not null),
                c => c.Class.ToString(), WriteClass);
            if (Aging is not null)
            {
                json.WriteStartObject(PolicyFields.Root.Aging);
                json.WriteString(PolicyFields.Aging.PromoteAfter, Duration(Aging.PromoteAfter));
                json.WriteEndObject();
            }

            WriteMap(json, PolicyFields.Root.Pools, Pools, p => p.Name, (w, p) =>
            {
                w.WriteNumber(PolicyFields.Pool.Concurrency, p.Concurrency);
                if (p.Classes is not null)
                {
                    WriteNames(w, PolicyFields.Pool.Classes, p.Classes);
                }
            });
            WriteNames(json, PolicyFields.Root.Degradation, DegradationLadder);
            WriteAnomaly(json);
            WriteCircuitBreakers(json);
            WriteMap(json, PolicyFields.Root.Tools, _toolRules, r => r.Pattern, WriteTool);
            WriteTrust(json);
            WriteModels(json);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private void WriteTiers(Utf8JsonWriter json)
    {
        json.WriteStartObject(PolicyFields.Root.Tiers);
        foreach (TierPolicy tier in _tiers.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            json.WriteStartObject(tier.Name);
            json.WriteStartObject(PolicyFields.Tier.Categories);
            foreach (CategoryBudget budget in tier.Categories.Values.OrderBy(c => c.Category, StringComparer.Ordinal))
            {
                json.WriteStartObject(budget.Category);
                json.WriteNumber(PolicyFields.Category.Capacity, budget.Capacity);
                json.WriteNumber(PolicyFields.Category.RefillPerSecond, budget.RefillPerSecond);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            if (tier.Burst is not null)
            {
                json.WriteStartObject(PolicyFields.Tier.Burst);
                json.WriteNumber(PolicyFields.Burst.Multiplier, tier.Burst.Multiplier);
                json.WriteNumber(PolicyFields.Burst.MaxSeconds, tier.Burst.MaxSeconds);
                json.WriteEndObject();
            }

            if (tier.Emergency is not null)
            {
                json.WriteStartObject(PolicyFields.Tier.Emergency);
                WriteNames(json, PolicyFields.Emergency.Classes, tier.Emergency.Classes);
                json.WriteNumber(PolicyFields.Emergency.DebtMultiplier, tier.Emergency.DebtMultiplier);
                json.WriteEndObject();
            }

            if (tier.Limits != TierLimits.None)
            {
                TierLimits limits = tier.Limits;
                json.WriteStartObject(PolicyFields.Tier.Limits);
                WriteOptional(json, PolicyFields.Limits.MaxIterations, limits.MaxIterations);
                WriteOptional(json, PolicyFields.Limits.MaxToolCalls, limits.MaxToolCalls);
                WriteOptional(json, PolicyFields.Limits.MaxCostPerRun, limits.MaxCostPerRun);
                WriteOptional(json, PolicyFields.Limits.MaxCostPerDay, limits.MaxCostPerDay);
                WriteOptional(json, PolicyFields.Limits.MaxCostPerMonth, limits.MaxCostPerMonth);
                json.WriteEndObject();
            }

            WriteTierTrust(json, tier);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteClass(Utf8JsonWriter json, ClassPolicy policy)
    {
        if (policy.ReservedShare > 0)
        {
            json.WriteNumber(PolicyFields.Class.ReservedShare, policy.ReservedShare);
        }

        if (policy.MaxQueueWait is TimeSpan wait)
        {
            json.WriteString(PolicyFields.Class.MaxQueueWait, Duration(wait));
        }

        WriteOptional(json, PolicyFields.Class.QueueLimit, policy.QueueLimit);
        if (policy.WaitBeforeDraft is TimeSpan draftWait)
        {
            json.WriteString(PolicyFields.Class.WaitBeforeDraft, Duration(draftWait));
        }
    }

    private void WriteAnomaly(Utf8JsonWriter json)
    {
        if (Anomaly is null)
        {
            return;
        }

        json.WriteStartObject(PolicyFields.Root.Anomaly);
        json.WriteNumber(PolicyFields.Anomaly.Factor, Anomaly.Factor);
        json.WriteString(PolicyFields.Anomaly.Window, Duration(Anomaly.Window));
        if (Anomaly.QuarantineTier is not null)
        {
            json.WriteString(PolicyFields.Anomaly.QuarantineTier, Anomaly.QuarantineTier);
        }

        json.WriteString(PolicyFields.Anomaly.Interval, Duration(Anomaly.Interval));
        if (Anomaly.MinBaseline > 0)
        {
            json.WriteNumber(PolicyFields.Anomaly.MinBaseline, Anomaly.MinBaseline);
        }

        WriteAnomalySignal(json, PolicyFields.Anomaly.Requests, Anomaly.Requests);
        WriteAnomalySignal(json, PolicyFields.Anomaly.Tokens, Anomaly.Tokens);
        json.WriteEndObject();
    }

    private static void WriteAnomalySignal(Utf8JsonWriter json, string name, AnomalySignalPolicy? signal)
    {
        if (signal is null)
        {
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber(PolicyFields.Anomaly.Factor, signal.Factor);
        if (signal.MinBaseline > 0)
        {
            json.WriteNumber(PolicyFields.Anomaly.MinBaseline, signal.MinBaseline);
        }

        json.WriteEndObject();
    }

    private void WriteCircuitBreakers(Utf8JsonWriter json)
    {
        if (ReferenceEquals(CircuitBreakers, CircuitBreakerPolicy.Defaults))
        {
            return;
        }

        json.WriteStartObject(PolicyFields.Root.CircuitBreaker);
        if (!CircuitBreakers.Enabled)
        {
            json.WriteBoolean(PolicyFields.CircuitBreaker.Enabled, false);
        }

        WriteBreaker(json, CircuitBreakers.Default);
        WriteMap(json, PolicyFields.CircuitBreaker.Categories, CircuitBreakers.Categories.OrderBy(c => c.Key, StringComparer.Ordinal),
            c => c.Key, (w, c) => WriteBreaker(w, c.Value));
        json.WriteEndObject();

        static void WriteBreaker(Utf8JsonWriter json, CircuitBreakerSettings settings)
        {
            json.WriteNumber(PolicyFields.CircuitBreaker.FailureThreshold, settings.FailureThreshold);
            json.WriteString(PolicyFields.CircuitBreaker.BreakDuration, Duration(settings.BreakDuration));
        }
    }

    private static void WriteTool(Utf8JsonWriter json, ToolQuotaRule rule)
    {
        json.WriteString(PolicyFields.Tool.Category, rule.Category);
        json.WriteNumber(PolicyFields.Tool.Cost, rule.Cost);
        if (rule.IsPrivileged && !rule.RequiresApproval)
        {
            json.WriteBoolean(PolicyFields.Tool.Privileged, true);
        }

        if (rule.RequiresApproval)
        {
            json.WriteBoolean(PolicyFields.Tool.RequiresApproval, true);
        }
    }

    // A name-to-object map, omitted when empty (the field's default).
    private static void WriteMap<T>(Utf8JsonWriter json, string field, IEnumerable<T> items, Func<T, string> name, Action<Utf8JsonWriter, T> writeBody)
    {
        bool started = false;
        foreach (T item in items)
        {
            if (!started)
            {
                json.WriteStartObject(field);
                started = true;
            }

            json.WriteStartObject(name(item));
            writeBody(json, item);
            json.WriteEndObject();
        }

        if (started)
        {
            json.WriteEndObject();
        }
    }

    private static void WriteNames<T>(Utf8JsonWriter json, string field, IEnumerable<T> values)
        where T : struct, Enum
    {
        json.WriteStartArray(field);
        foreach (T value in values)
        {
            json.WriteStringValue(value.ToString());
        }

        json.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string field, int? value)
    {
        if (value is int v)
        {
            json.WriteNumber(field, v);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string field, double? value)
    {
        if (value is double v)
        {
            json.WriteNumber(field, v);
        }
    }

    private static string Duration(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text.Json;

namespace SupportDesk.Model;

/// <summary>
/// How the scripted model reads one tool result in the transcript: the JSON text the agent fed back, which is either
/// the tool's result, a <c>FallbackToolResult</c> (<c>"degraded": true</c>) or the agent's error object
/// (<c>"error": ...</c>) for a call the gate refused.
/// </summary>
internal sealed class ToolResultView
{
    private ToolResultView(JsonElement? value, bool failed, bool degraded, string? reason, double? retryAfterSeconds)
    {
        Value = value;
        Failed = failed;
        Degraded = degraded;
        Reason = reason;
        RetryAfterSeconds = retryAfterSeconds;
    }

    /// <summary>The tool's own result (inside a degraded wrapper, the fallback's result).</summary>
    public JsonElement? Value { get; }

    /// <summary>Nothing ran: the call was refused or its arguments were wrong.</summary>
    public bool Failed { get; }

    /// <summary>The fallback ran instead of the tool: a draft.</summary>
    public bool Degraded { get; }

    /// <summary>The gate's reason for a refusal or a draft.</summary>
    public string? Reason { get; }

    /// <summary>When the tool could be tried again, if waiting helps.</summary>
    public double? RetryAfterSeconds { get; }

    public static ToolResultView Parse(object? result)
    {
        // A provider sends a tool's result to the model as JSON written with the AI serializer options.
        string text = result as string ?? JsonSerializer.Serialize(result, Microsoft.Extensions.AI.AIJsonUtilities.DefaultOptions);
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(text);
        }
        catch (JsonException)
        {
            root = JsonSerializer.SerializeToElement(text); // plain text result
        }

        if (root.ValueKind == JsonValueKind.Object)
        {
            if (Find(root, "error") is not null)
            {
                return new ToolResultView(null, failed: true, degraded: false, Text(root, "reason") ?? Text(root, "error"), Number(root, "retryAfterSeconds"));
            }

            if (Find(root, "degraded") is { ValueKind: JsonValueKind.True })
            {
                return new ToolResultView(Find(root, "result"), failed: false, degraded: true, Text(root, "reason"), Number(root, "retryAfterSeconds"));
            }
        }

        return new ToolResultView(root, failed: false, degraded: false, reason: null, retryAfterSeconds: null);
    }

    /// <summary>Why nothing (or only a draft) came back, in words for the customer.</summary>
    public string DescribeProblem()
    {
        string why = Reason switch
        {
            "BucketExhausted" or "QueueTimeout" or "QueueFull" or "PoolExhausted" => "our assistant is at capacity",
            "ApprovalRequired" => "it needs a person's approval",
            "ApprovalDenied" => "it was not approved",
            "AnomalyQuarantine" => "the account is under review",
            "RunToolCallLimit" or "RunIterationLimit" or "RunCostLimit" => "this conversation reached its limit",
            "CircuitOpen" => "the service behind it is failing",
            null => "of an error",
            _ => "of a limit (" + Reason + ")",
        };
        return RetryAfterSeconds is double seconds
            ? string.Create(CultureInfo.InvariantCulture, $"{why}; it can be retried in {Math.Ceiling(seconds):0} s")
            : why;
    }

    public static JsonElement? Find(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    public static string? Text(JsonElement element, string name) =>
        Find(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static double? Number(JsonElement element, string name) =>
        Find(element, name) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;
}

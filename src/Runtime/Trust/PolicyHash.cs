using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AgentQuotas.Trust;

/// <summary>
/// The content hash of a policy: lower-case hex SHA-256 of the document in canonical form, so that what
/// a reviewer approved is identified by what it says, not by how it is laid out.
/// </summary>
/// <remarks>
/// Canonical form (docs/policy.md, "Policy integrity"): the document is parsed (comments and trailing commas
/// dropped) and written back as compact UTF-8 JSON with no whitespace; object members sorted by name
/// (ordinal, UTF-16 code units); array items in their order; every number as the shortest text that
/// round-trips its double value (so <c>2</c>, <c>2.0</c> and <c>2e0</c> are the same); strings escaped by one fixed
/// rule, <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>. Whitespace, comments,
/// member order and number spelling therefore never change the hash; any value, name or array order does.
/// </remarks>
internal static class PolicyHash
{
    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 128,
    };

    private static readonly JsonWriterOptions WriteOptions = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = 128,
    };

    /// <summary>The hash of <paramref name="json"/> (a document the policy validator accepted).</summary>
    /// <param name="json">The policy text.</param>
    public static string Compute(string json) => Convert.ToHexStringLower(SHA256.HashData(Canonicalize(json)));

    /// <summary>The canonical UTF-8 form of <paramref name="json"/> (see the remarks of <see cref="PolicyHash"/>).</summary>
    /// <param name="json">The policy text.</param>
    public static byte[] Canonicalize(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json, ReadOptions);
        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriteOptions))
        {
            Write(writer, document.RootElement);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;

            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;

            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;

            case JsonValueKind.Number:
                // A valid policy holds finite numbers; the shortest round-trip text of the double is canonical.
                double value = element.GetDouble();
                writer.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
                break;

            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;

            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;

            default:
                writer.WriteNullValue();
                break;
        }
    }
}

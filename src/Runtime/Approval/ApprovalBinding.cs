using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace AgentQuotas;

/// <summary>
/// Binds a privileged call to its approval: the digest of the arguments it is called with, and, when it resumes
/// after an operator approved it, the approval id. The gate takes tenant and principal from the run, never from here.
/// </summary>
public readonly struct ApprovalBinding
{
    /// <summary>Creates a binding.</summary>
    /// <param name="argumentsDigest">The digest of the call's arguments (<see cref="DigestOf"/>); <see langword="null"/> when the caller has none.</param>
    /// <param name="approvalId">The approval the call resumes with; <see langword="null"/> for a first call.</param>
    public ApprovalBinding(string? argumentsDigest, string? approvalId = null)
    {
        if (approvalId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(approvalId);
        }

        ArgumentsDigest = argumentsDigest;
        ApprovalId = approvalId;
    }

    /// <summary>The digest of the call's arguments; <see langword="null"/> when the caller has none.</summary>
    public string? ArgumentsDigest { get; }

    /// <summary>The approval the call resumes with; <see langword="null"/> for a first call.</summary>
    public string? ApprovalId { get; }

    /// <summary>A first call with these arguments.</summary>
    /// <param name="arguments">The call's arguments, by parameter name.</param>
    public static ApprovalBinding For(IReadOnlyDictionary<string, object?> arguments) => new(DigestOf(arguments));

    /// <summary>
    /// A call that resumes with <paramref name="approval"/>: the digest is computed anew from the arguments it is
    /// called with now, so an approval of one set of arguments cannot run another.
    /// </summary>
    /// <param name="approval">The approval (its id is what counts).</param>
    /// <param name="arguments">The call's arguments now; <see langword="null"/> when the first call had none either.</param>
    public static ApprovalBinding Resume(PendingApproval approval, IReadOnlyDictionary<string, object?>? arguments)
    {
        ArgumentNullException.ThrowIfNull(approval);
        return new(arguments is null ? null : DigestOf(arguments), approval.Id);
    }

    /// <summary>
    /// The SHA-256 digest (lowercase hex) of arguments: names in ordinal order, values as canonical JSON. Values may be
    /// <see cref="JsonElement"/>s, strings, numbers, booleans, <see langword="null"/>, GUIDs, dates, enums, and lists or
    /// string-keyed dictionaries of these.
    /// </summary>
    /// <param name="arguments">The arguments.</param>
    /// <exception cref="ArgumentException">A value of another type (it could not be digested faithfully, so the call is not filed).</exception>
    public static string DigestOf(IReadOnlyDictionary<string, object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteObject(writer, arguments.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)), "arguments");
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteObject(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> members, string path)
    {
        writer.WriteStartObject();
        foreach (KeyValuePair<string, object?> member in members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(member.Key);
            WriteValue(writer, member.Value, path + "." + member.Key);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, string path)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonElement element:
                WriteElement(writer, element);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case Enum e:
                writer.WriteStringValue(e.ToString());
                break;
            case Guid or DateTime or DateTimeOffset or TimeSpan:
                writer.WriteStringValue(((IFormattable)value).ToString(value is TimeSpan ? "c" : value is Guid ? "D" : "O", CultureInfo.InvariantCulture));
                break;
            case byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal:
                writer.WriteRawValue(((IFormattable)value).ToString(value is float or double ? "R" : null, CultureInfo.InvariantCulture), skipInputValidation: false);
                break;
            case IDictionary dictionary:
                var members = new List<KeyValuePair<string, object?>>();
                foreach (DictionaryEntry entry in dictionary)
                {
                    members.Add(new(entry.Key as string ?? throw Unsupported(path, entry.Key), entry.Value));
                }

                WriteObject(writer, members, path);
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                int i = 0;
                foreach (object? item in items)
                {
                    WriteValue(writer, item, path + "[" + i++ + "]");
                }

                writer.WriteEndArray();
                break;
            default:
                throw Unsupported(path, value);
        }
    }

    private static void WriteElement(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteElement(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    WriteElement(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static ArgumentException Unsupported(string path, object? value) =>
        new($"The argument '{path}' is a {value?.GetType().Name ?? "null key"}, which cannot be digested for an approval; pass JSON values, strings, numbers, booleans, lists or string-keyed dictionaries.", nameof(value));
}

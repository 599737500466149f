using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AgentQuotas.Guard;

/// <summary>
/// Reads the arguments of a tool call made by a model (a name-to-value map whose values are usually
/// <see cref="JsonElement"/>s) into the tool's parameter types, with errors that say which argument is
/// wrong and why. Used by generated <c>AIFunction</c>s.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ToolArguments
{
    /// <summary>Reads a required argument.</summary>
    /// <typeparam name="T">The parameter type.</typeparam>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="tool">The tool name, for errors.</param>
    /// <param name="name">The argument name.</param>
    /// <param name="typeInfo">How to read the type from JSON.</param>
    /// <param name="allowNull">Whether <see langword="null"/> is a valid value (a nullable parameter).</param>
    /// <exception cref="ToolArgumentException">The argument is missing, null where not allowed, or not a <typeparamref name="T"/>.</exception>
    public static T Required<T>(IReadOnlyDictionary<string, object?> arguments, string tool, string name, JsonTypeInfo<T> typeInfo, bool allowNull = false)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (!arguments.TryGetValue(name, out object? value))
        {
            throw new ToolArgumentException(tool, name, $"Tool '{tool}': the required argument '{name}' is missing.");
        }

        return Convert(tool, name, value, typeInfo, allowNull);
    }

    /// <summary>Reads an optional argument, or returns <paramref name="defaultValue"/> when it is absent.</summary>
    /// <typeparam name="T">The parameter type.</typeparam>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="tool">The tool name, for errors.</param>
    /// <param name="name">The argument name.</param>
    /// <param name="typeInfo">How to read the type from JSON.</param>
    /// <param name="defaultValue">The parameter's default.</param>
    /// <param name="allowNull">Whether <see langword="null"/> is a valid value.</param>
    /// <exception cref="ToolArgumentException">The argument is null where not allowed, or not a <typeparamref name="T"/>.</exception>
    public static T Optional<T>(IReadOnlyDictionary<string, object?> arguments, string tool, string name, JsonTypeInfo<T> typeInfo, T defaultValue, bool allowNull = false)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return arguments.TryGetValue(name, out object? value) ? Convert(tool, name, value, typeInfo, allowNull) : defaultValue;
    }

    private static T Convert<T>(string tool, string name, object? value, JsonTypeInfo<T> typeInfo, bool allowNull)
    {
        switch (value)
        {
            case null:
            case JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                if (!allowNull)
                {
                    throw new ToolArgumentException(tool, name, $"Tool '{tool}': the argument '{name}' must not be null; expected {Describe(typeof(T))}.");
                }

                return default!;
            case T typed:
                return typed;
            case JsonElement element:
                return FromJson(tool, name, element, typeInfo, allowNull);
            case string text:
                // A model (or a caller) sent a JSON value as text, e.g. "42" for an integer or "Red" for an enum.
                return FromText(tool, name, text, typeInfo, allowNull);
            case IConvertible convertible when IsPrimitiveNumberOrBool(typeof(T)):
                try
                {
                    return (T)System.Convert.ChangeType(convertible, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
                }
                catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
                {
                    throw Mismatch(tool, name, typeof(T), value, e);
                }

            default:
                throw Mismatch(tool, name, typeof(T), value, inner: null);
        }
    }

    private static bool IsPrimitiveNumberOrBool(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return !t.IsEnum && (t.IsPrimitive || t == typeof(decimal));
    }

    private static T FromJson<T>(string tool, string name, JsonElement element, JsonTypeInfo<T> typeInfo, bool allowNull)
    {
        try
        {
            T? result = element.Deserialize(typeInfo);
            if (result is null && !allowNull)
            {
                throw new ToolArgumentException(tool, name, $"Tool '{tool}': the argument '{name}' must not be null; expected {Describe(typeof(T))}.");
            }

            return result!;
        }
        catch (JsonException e)
        {
            // Numbers and booleans quoted as strings are a common model mistake: read what is inside.
            if (element.ValueKind == JsonValueKind.String && typeof(T) != typeof(string))
            {
                return FromText(tool, name, element.GetString()!, typeInfo, allowNull);
            }

            throw Mismatch(tool, name, typeof(T), element, e);
        }
    }

    private static T FromText<T>(string tool, string name, string text, JsonTypeInfo<T> typeInfo, bool allowNull)
    {
        if (typeof(T) == typeof(string) || typeof(T) == typeof(object))
        {
            return (T)(object)text;
        }

        T? result;
        try
        {
            result = JsonSerializer.Deserialize(text, typeInfo);
        }
        catch (JsonException)
        {
            try
            {
                // Not JSON: read it as a JSON string (enums, dates, GUIDs).
                result = JsonSerializer.Deserialize("\"" + JsonEncodedText.Encode(text).ToString() + "\"", typeInfo);
            }
            catch (JsonException e)
            {
                throw Mismatch(tool, name, typeof(T), text, e);
            }
        }

        if (result is null && !allowNull)
        {
            throw new ToolArgumentException(tool, name, $"Tool '{tool}': the argument '{name}' must not be null; expected {Describe(typeof(T))}.");
        }

        return result!;
    }

    private static ToolArgumentException Mismatch(string tool, string name, Type expected, object value, Exception? inner)
    {
        string shown = value is JsonElement element ? element.GetRawText() : value is string s ? "\"" + s + "\"" : value.ToString() ?? value.GetType().Name;
        if (shown.Length > 80)
        {
            shown = shown[..77] + "...";
        }

        return new ToolArgumentException(tool, name, $"Tool '{tool}': the argument '{name}' must be {Describe(expected)}, but was {shown}.", inner);
    }

    private static string Describe(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(t));
        }

        return Type.GetTypeCode(t) switch
        {
            TypeCode.String => "a string",
            TypeCode.Boolean => "true or false",
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 => "an integer",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            TypeCode.DateTime => "a date-time string",
            _ when t == typeof(Guid) => "a GUID string",
            _ when t == typeof(DateTimeOffset) => "a date-time string",
            _ when t == typeof(TimeSpan) => "a duration string such as \"00:05:00\"",
            _ when t.IsArray || (t != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(t)) => "a JSON array",
            _ => "a JSON object of type " + t.Name,
        };
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;

namespace AgentQuotas.Hosting;

/// <summary>
/// Reads settings from one configuration section without reflection (the runtime is trimming- and AOT-safe) and
/// collects every bad value and unknown key, each named by its full configuration path, so a host that fails to start
/// says at once everything that is wrong. Compiled into the runtime and the store packages.
/// </summary>
internal sealed class SettingsReader
{
    // What binding an options instance found (its section and errors), reported by its validator when the instance is validated.
    private static readonly ConditionalWeakTable<object, Binding> Bindings = new();

    private readonly IConfiguration _section;
    private readonly List<string> _errors;

    public SettingsReader(IConfiguration section, object options)
    {
        _section = section;
        Path = section is IConfigurationSection s ? s.Path : string.Empty;
        Binding binding = Bindings.GetOrCreateValue(options);
        binding.Path = Path;
        _errors = binding.Errors;
    }

    /// <summary>The section's full path (empty for a configuration root).</summary>
    public string Path { get; }

    /// <summary>What binding <paramref name="options"/> found wrong (empty when it was not bound from configuration).</summary>
    public static IReadOnlyList<string> ErrorsOf(object options) =>
        Bindings.TryGetValue(options, out Binding? binding) ? binding.Errors : [];

    /// <summary>The section <paramref name="options"/> was bound from, or <paramref name="fallback"/> when it was set in code.</summary>
    public static string PathOf(object options, string fallback) =>
        Bindings.TryGetValue(options, out Binding? binding) && binding.Path.Length > 0 ? binding.Path : fallback;

    /// <summary>The full configuration path of <paramref name="key"/> in <paramref name="sectionPath"/>.</summary>
    public static string KeyPath(string sectionPath, string key) => sectionPath.Length == 0 ? key : ConfigurationPath.Combine(sectionPath, key);

    public string KeyPath(string key) => KeyPath(Path, key);

    public string? String(string key)
    {
        string? value = _section[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public bool? Bool(string key) => Parse(key, "true or false", static (string v, out bool r) => bool.TryParse(v, out r));

    public int? Int(string key) => Parse(key, "a whole number", static (string v, out int r) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out r));

    public double? Double(string key) => Parse(key, "a number", static (string v, out double r) => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out r) && double.IsFinite(r));

    public TimeSpan? Duration(string key) => Parse(key, "a time span such as 00:00:30", static (string v, out TimeSpan r) => TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out r));

    public TEnum? Enum<TEnum>(string key)
        where TEnum : struct, Enum
    {
        string expected = "one of " + string.Join(", ", System.Enum.GetNames<TEnum>());
        return Parse(key, expected, static (string v, out TEnum r) =>
            System.Enum.TryParse(v, ignoreCase: true, out r) && System.Enum.IsDefined(r) && !char.IsAsciiDigit(v[0]) && v[0] != '-');
    }

    /// <summary>Reports every key of the section that is not in <paramref name="known"/> (a misspelt setting would otherwise be ignored).</summary>
    public void RejectUnknownKeys(params string[] known)
    {
        foreach (IConfigurationSection child in _section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                _errors.Add($"{KeyPath(child.Key)} is not a known setting; the known ones are {string.Join(", ", known)}.");
            }
        }
    }

    private sealed class Binding
    {
        public List<string> Errors { get; } = [];

        public string Path { get; set; } = string.Empty;
    }

    private delegate bool TryParse<T>(string value, out T result);

    private T? Parse<T>(string key, string expected, TryParse<T> tryParse)
        where T : struct
    {
        string? value = String(key);
        if (value is null)
        {
            return null;
        }

        if (tryParse(value, out T result))
        {
            return result;
        }

        _errors.Add($"{KeyPath(key)} is '{value}', which is not {expected}.");
        return null;
    }
}

using System.CommandLine.Parsing;
using System.Globalization;

namespace SupportDesk.Cli;

/// <summary>Reads <c>--duration</c>: <c>hh:mm:ss</c> (<c>00:02:00</c>), or a number with a unit (<c>90s</c>, <c>2m</c>, <c>1h</c>).</summary>
internal static class DurationParser
{
    public static TimeSpan? Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value.Trim();
        if (TryParse(text, out TimeSpan value))
        {
            if (value > TimeSpan.Zero)
            {
                return value;
            }

            result.AddError($"--duration must be positive, not '{text}'.");
            return null;
        }

        result.AddError($"--duration '{text}' is not a duration. Use hh:mm:ss (00:02:00) or a number with a unit: 90s, 2m, 1h.");
        return null;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length >= 2 && char.IsLetter(text[^1]) &&
            double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount) && double.IsFinite(amount))
        {
            double? seconds = char.ToLowerInvariant(text[^1]) switch
            {
                's' => amount,
                'm' => amount * 60,
                'h' => amount * 3600,
                _ => null,
            };
            if (seconds is double s && s < TimeSpan.MaxValue.TotalSeconds)
            {
                value = TimeSpan.FromSeconds(s);
                return true;
            }

            return false;
        }

        return text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }
}

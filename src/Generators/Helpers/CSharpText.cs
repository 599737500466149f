using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentQuotas.Generators.Helpers
{
    /// <summary>Turns user text into C# that cannot break the generated file: literals and comments.</summary>
    internal static class CSharpText
    {
        /// <summary>A regular string literal; every control, line-separator and non-ASCII-breaking character is escaped.</summary>
        public static string String(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

        /// <summary>Text safe inside a <c>//</c> comment: line breaks (including U+0085, U+2028, U+2029) and other control characters become spaces.</summary>
        public static string Comment(string text)
        {
            var builder = new StringBuilder(text.Length);
            foreach (char c in text)
            {
                builder.Append(char.IsControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
            }

            return builder.ToString();
        }

        /// <summary>A <see langword="double"/> as C#, including the non-finite values.</summary>
        public static string Double(double value) =>
            Real("double", double.IsNaN(value), double.IsPositiveInfinity(value), double.IsNegativeInfinity(value),
                value < 0 || (value == 0 && double.IsNegativeInfinity(1 / value)), value.ToString("R", CultureInfo.InvariantCulture) + "d");

        /// <summary>A <see langword="float"/> as C#, including the non-finite values.</summary>
        public static string Single(float value) =>
            Real("float", float.IsNaN(value), float.IsPositiveInfinity(value), float.IsNegativeInfinity(value),
                value < 0 || (value == 0 && float.IsNegativeInfinity(1 / value)), value.ToString("R", CultureInfo.InvariantCulture) + "f");

        // Non-finite values by name; negative ones (-0 included) parenthesised so a cast before them stays a cast.
        private static string Real(string type, bool nan, bool positiveInfinity, bool negativeInfinity, bool negative, string literal) =>
            nan ? type + ".NaN"
            : positiveInfinity ? type + ".PositiveInfinity"
            : negativeInfinity ? type + ".NegativeInfinity"
            : negative ? "(" + (literal.StartsWith("-", System.StringComparison.Ordinal) ? literal : "-" + literal) + ")"
            : literal;
    }
}

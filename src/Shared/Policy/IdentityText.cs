// Shared between the runtime and the analyzers (netstandard2.0). The one rule for identity strings (tenant,
// principal, workflow, run and tool names, and the names a policy gives tenants, tiers, categories and
// pools): the runtime refuses others where they enter (AgentIdentity, BeginRun), the policy validator
// reports them with their location, so every store and sink can write what it is given, faithfully.
using System.Globalization;
using System.Text;

namespace AgentQuotas.Policy.Schema
{
    /// <summary>The identity-string rule, and escaping for messages that must stay on one line.</summary>
    internal static class IdentityText
    {
        /// <summary>The most UTF-16 characters an identity string may have.</summary>
        public const int MaxLength = 256;

        /// <summary>
        /// Why <paramref name="value"/> is not a valid identity string (phrased to follow "the tenant id"), or
        /// <see langword="null"/> when it is: not empty or white space, at most <see cref="MaxLength"/> characters,
        /// no control characters, and well-formed UTF-16 (no lone surrogate).
        /// </summary>
        public static string? Problem(string value)
        {
            if (value.Length == 0 || value.Trim().Length == 0)
            {
                return "must not be empty or white space";
            }

            if (value.Length > MaxLength)
            {
                return "must be at most " + MaxLength + " characters, but has " + value.Length;
            }

            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (char.IsControl(c))
                {
                    return "must not contain control characters (" + CodePoint(c) + " at index " + i + ")";
                }

                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                if (char.IsSurrogate(c))
                {
                    return "must be well-formed UTF-16 but holds a lone surrogate (" + CodePoint(c) + " at index " + i + ")";
                }
            }

            return null;
        }

        /// <summary>Whether <paramref name="value"/> holds a lone surrogate (text no UTF-8 writer can keep).</summary>
        public static bool HasLoneSurrogate(string value)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(c))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// <paramref name="text"/> with every character that could break a one-line message (control characters,
        /// line and paragraph separators) or that a UTF-8 writer cannot keep (lone surrogates) written as an escape
        /// (<c>\n</c>, <c>\uXXXX</c>). Text without such characters is returned as it is.
        /// </summary>
        public static string Escape(string text)
        {
            int i = 0;
            while (i < text.Length && !NeedsEscape(text, i))
            {
                i += char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            }

            if (i == text.Length)
            {
                return text;
            }

            var sb = new StringBuilder(text.Length + 8);
            sb.Append(text, 0, i);
            for (; i < text.Length; i++)
            {
                char c = text[i];
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    sb.Append(c).Append(text[++i]);
                    continue;
                }

                if (!NeedsEscape(text, i))
                {
                    sb.Append(c);
                    continue;
                }

                switch (c)
                {
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default: sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)); break;
                }
            }

            return sb.ToString();
        }

        private static bool NeedsEscape(string text, int i)
        {
            char c = text[i];
            if (char.IsControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085')
            {
                return true;
            }

            return char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]));
        }

        private static string CodePoint(char c) => "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
    }
}

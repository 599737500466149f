using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>Parses span markup out of test sources.</summary>
internal static class Markup
{
    public static (string Text, List<MarkedSpan> Spans) Parse(string markup)
    {
        var text = new StringBuilder(markup.Length);
        var spans = new List<MarkedSpan>();
        var open = new Stack<(int Start, string? Id, char Close)>();
        int i = 0;
        while (i < markup.Length)
        {
            if (At(markup, i, "[|"))
            {
                open.Push((text.Length, null, ']'));
                i += 2;
                continue;
            }

            if (At(markup, i, "{|"))
            {
                int colon = markup.IndexOf(':', i + 2);
                string id = colon > i + 2 ? markup[(i + 2)..colon] : "";
                if (id.Length > 0 && id.All(char.IsLetterOrDigit))
                {
                    open.Push((text.Length, id, '}'));
                    i = colon + 1;
                    continue;
                }
            }

            if (open.Count > 0 && (At(markup, i, "|]") || At(markup, i, "|}")) && markup[i + 1] == open.Peek().Close)
            {
                (int start, string? id, _) = open.Pop();
                spans.Add(new MarkedSpan(id, TextSpan.FromBounds(start, text.Length)));
                i += 2;
                continue;
            }

            text.Append(markup[i]);
            i++;
        }

        if (open.Count > 0)
        {
            throw new InvalidOperationException($"Unclosed span markup at offset {open.Peek().Start}.");
        }

        return (text.ToString(), spans);
    }

    private static bool At(string text, int index, string token) => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;
}

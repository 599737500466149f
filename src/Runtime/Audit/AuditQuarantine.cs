using System.Globalization;
using System.Text;

namespace AgentQuotas.Audit;

/// <summary>
/// Records whose text a sink cannot hold faithfully (a NUL, which PostgreSQL text refuses; a lone surrogate,
/// which no UTF-8 writer can keep) are quarantined one by one: written with that text escaped as <c>\uXXXX</c>
/// and a detail that starts with <c>quarantined:</c>, so the record is kept, marked, and never mistaken for
/// another (a lone surrogate would otherwise be written as U+FFFD, the same for every one), and its
/// neighbours are written as they are. Identities built through <see cref="AgentIdentity"/> never need it.
/// Compiled into AgentQuotas.Postgres as well (internal in both).
/// </summary>
internal static class AuditQuarantine
{
    /// <summary>The prefix of a quarantined record's detail.</summary>
    public const string Prefix = "quarantined: ";

    /// <summary>Whether some text of <paramref name="record"/> cannot be written faithfully.</summary>
    public static bool IsNeeded(in QuotaAuditRecord record) =>
        Unwritable(record.Tenant) || Unwritable(record.Principal) || Unwritable(record.Workflow) || Unwritable(record.RunId)
        || Unwritable(record.Tool) || Unwritable(record.Category) || Unwritable(record.PolicyVersion) || Unwritable(record.Detail);

    /// <summary>The record with its unwritable text escaped and its detail saying why.</summary>
    public static QuotaAuditRecord Escape(in QuotaAuditRecord record, string why) => record with
    {
        Tenant = Escape(record.Tenant)!,
        Principal = Escape(record.Principal)!,
        Workflow = Escape(record.Workflow),
        RunId = Escape(record.RunId),
        Tool = Escape(record.Tool)!,
        Category = Escape(record.Category)!,
        PolicyVersion = Escape(record.PolicyVersion)!,
        Detail = Prefix + why + "; text the sink cannot hold (NUL, lone surrogates) is written as \\uXXXX"
            + (record.Detail is null ? "." : ". " + Escape(record.Detail)),
    };

    private static bool Unwritable(string? text)
    {
        if (text is null)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            if (UnwritableAt(text, i))
            {
                return true;
            }

            if (char.IsHighSurrogate(text[i]))
            {
                i++; // a well-formed pair
            }
        }

        return false;
    }

    private static bool UnwritableAt(string text, int i)
    {
        char c = text[i];
        if (c == '\0')
        {
            return true;
        }

        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
        }

        return char.IsLowSurrogate(c);
    }

    private static string? Escape(string? text)
    {
        if (text is null || !Unwritable(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 12);
        for (int i = 0; i < text.Length; i++)
        {
            if (UnwritableAt(text, i))
            {
                sb.Append("\\u").Append(((int)text[i]).ToString("X4", CultureInfo.InvariantCulture));
                continue;
            }

            sb.Append(text[i]);
            if (char.IsHighSurrogate(text[i]))
            {
                sb.Append(text[++i]);
            }
        }

        return sb.ToString();
    }
}

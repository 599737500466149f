using System.Text.Json;

namespace AgentQuotas.Audit;

/// <summary>Reads the files <see cref="JsonLinesAuditSink"/> writes, one record per line.</summary>
public static class JsonLinesAuditReader
{
    /// <summary>Reads every record of a file, lazily, in file order. Blank lines are skipped.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The records.</returns>
    /// <exception cref="AuditFormatException">A line is not a complete audit record (names the line).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IEnumerable<QuotaAuditRecord> ReadAll(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The audit file '{path}' does not exist.", path);
        }

        return ReadLines(path);
    }

    private static IEnumerable<QuotaAuditRecord> ReadLines(string path)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Parse(path, number, line);
        }
    }

    private static QuotaAuditRecord Parse(string path, int number, string line)
    {
        QuotaAuditRecord record;
        try
        {
            record = JsonSerializer.Deserialize(line, AuditJsonContext.Default.QuotaAuditRecord);
        }
        catch (JsonException e)
        {
            throw new AuditFormatException(path, number, e.Message, e);
        }

        string? missing = record.Tenant is null ? "tenant"
            : record.Principal is null ? "principal"
            : record.Tool is null ? "tool"
            : record.Category is null ? "category"
            : record.PolicyVersion is null ? "policyVersion"
            : record.Timestamp == default ? "timestamp"
            : null;
        if (missing is not null)
        {
            throw new AuditFormatException(path, number, $"the required field '{missing}' is missing");
        }

        return record;
    }
}

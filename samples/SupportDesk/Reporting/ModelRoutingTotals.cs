using AgentQuotas.Audit;

namespace SupportDesk.Reporting;

/// <summary>Running totals of the gate's model routing decisions (audit records of category <c>(model-route)</c>), per model.</summary>
internal sealed class ModelRoutingTotals
{
    private readonly SortedDictionary<string, (long Turns, long Rerouted, long Waited, long Refused)> _byModel = new(StringComparer.Ordinal);

    public void Add(in QuotaAuditRecord record)
    {
        (long turns, long rerouted, long waited, long refused) = _byModel.GetValueOrDefault(record.Tool);
        if (record.Decision == AuditDecision.Admitted)
        {
            turns++;
            rerouted += record.Detail?.Contains(" instead of ", StringComparison.Ordinal) == true ? 1 : 0; // the router's wording for a moved turn
            waited += record.QueueWait > TimeSpan.Zero ? 1 : 0;
        }
        else
        {
            refused++;
        }

        _byModel[record.Tool] = (turns, rerouted, waited, refused);
    }

    public IReadOnlyList<ModelUsage> ToUsage() =>
        [.. _byModel.Select(m => new ModelUsage(m.Key, m.Value.Turns, m.Value.Rerouted, m.Value.Waited, m.Value.Refused))];
}

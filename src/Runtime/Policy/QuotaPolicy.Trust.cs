using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using AgentQuotas.Policy.Schema;

namespace AgentQuotas.Policy;

// Whom the policy trusts with what (issue 16): workflows bound to classes, class ceilings, per-principal
// limits, the revocation list, and whether a same-version edit may be applied.
public sealed partial class QuotaPolicy
{
    private FrozenDictionary<string, WorkflowPolicy> _workflows = FrozenDictionary<string, WorkflowPolicy>.Empty;
    private FrozenDictionary<string, WorkloadClass> _tenantMaxClasses = FrozenDictionary<string, WorkloadClass>.Empty;

    /// <summary>
    /// Whether a reload may replace this policy with different content under the same <see cref="Version"/>
    /// (field <c>allowSameVersionEdits</c>, default <see langword="false"/>): then it is applied with a warning.
    /// Read from the policy being replaced, so an edit cannot grant itself the permission.
    /// </summary>
    public bool AllowSameVersionEdits { get; private set; }

    /// <summary>What happens to a run that asks for a class above its ceiling (field <c>classCeiling</c>, default <see cref="ClassCeilingMode.Lower"/>).</summary>
    public ClassCeilingMode ClassCeiling { get; private set; }

    /// <summary>The <c>workflows</c> section: the class each named workflow runs at, and its owner.</summary>
    public IReadOnlyDictionary<string, WorkflowPolicy> Workflows => _workflows;

    /// <summary>Per-tenant class ceilings (<c>tenants.&lt;id&gt;.maxClass</c>).</summary>
    public IReadOnlyDictionary<string, WorkloadClass> TenantMaxClasses => _tenantMaxClasses;

    /// <summary>The policy's own <c>revoked</c> section (empty when absent).</summary>
    public RevocationList Revoked { get; private set; } = RevocationList.Empty;

    /// <summary>Finds a workflow of the <c>workflows</c> section.</summary>
    /// <param name="name">The workflow name.</param>
    /// <param name="workflow">The workflow, when listed.</param>
    public bool TryGetWorkflow(string name, [NotNullWhen(true)] out WorkflowPolicy? workflow)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _workflows.TryGetValue(name, out workflow);
    }

    /// <summary>
    /// The highest class <paramref name="tenant"/> may run at: the tighter of its tier's and its own <c>maxClass</c>
    /// (<see cref="WorkloadClass.Critical"/> when neither is set).
    /// </summary>
    /// <param name="tenant">The tenant id.</param>
    public WorkloadClass MaxClassFor(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        WorkloadClass ceiling = WorkloadClass.Critical;
        if (TryResolveTier(tenant, out TierPolicy? tier) && tier.MaxClass is WorkloadClass tierMax)
        {
            ceiling = Lower(ceiling, tierMax);
        }

        if (_tenantMaxClasses.TryGetValue(tenant, out WorkloadClass tenantMax))
        {
            ceiling = Lower(ceiling, tenantMax);
        }

        return ceiling;
    }

    // The less urgent of two classes (Critical = 0 is the most urgent).
    internal static WorkloadClass Lower(WorkloadClass a, WorkloadClass b) => (WorkloadClass)Math.Max((int)a, (int)b);

    private void SetTrust(PolicyModel model)
    {
        AllowSameVersionEdits = model.AllowSameVersionEdits;
        ClassCeiling = model.ClassCeiling == PolicyFields.ClassCeilingModes.Refuse ? ClassCeilingMode.Refuse : ClassCeilingMode.Lower;
        if (model.Workflows.Count > 0)
        {
            _workflows = model.Workflows.ToFrozenDictionary(
                w => w.Name,
                w => new WorkflowPolicy(w.Name, Enum.Parse<WorkloadClass>(w.Class), w.Owner, w.MaxIterations, w.MaxToolCalls, w.MaxCostPerRun),
                StringComparer.Ordinal);
        }

        if (model.TenantMaxClasses.Count > 0)
        {
            _tenantMaxClasses = model.TenantMaxClasses.ToFrozenDictionary(t => t.Key, t => Enum.Parse<WorkloadClass>(t.Value), StringComparer.Ordinal);
        }

        if (model.Revoked is RevokedModel revoked)
        {
            Revoked = RevocationList.FromModel(revoked);
        }
    }

    private static void WriteTierTrust(System.Text.Json.Utf8JsonWriter json, TierPolicy tier)
    {
        if (tier.MaxClass is WorkloadClass maxClass)
        {
            json.WriteString(PolicyFields.Tier.MaxClass, maxClass.ToString());
        }

        if (tier.Principal is PrincipalPolicy principal)
        {
            json.WriteStartObject(PolicyFields.Tier.Principal);
            WriteOptional(json, PolicyFields.Principal.Share, principal.Share);
            WriteOptional(json, PolicyFields.Principal.Capacity, principal.Capacity);
            WriteOptional(json, PolicyFields.Principal.RefillPerSecond, principal.RefillPerSecond);
            WriteOptional(json, PolicyFields.Principal.MaxCostPerDay, principal.MaxCostPerDay);
            json.WriteEndObject();
        }
    }

    private void WriteTrust(System.Text.Json.Utf8JsonWriter json)
    {
        if (AllowSameVersionEdits)
        {
            json.WriteBoolean(PolicyFields.Root.AllowSameVersionEdits, true);
        }

        if (ClassCeiling == ClassCeilingMode.Refuse)
        {
            json.WriteString(PolicyFields.Root.ClassCeiling, PolicyFields.ClassCeilingModes.Refuse);
        }

        WriteMap(json, PolicyFields.Root.Workflows, _workflows.Values.OrderBy(w => w.Name, StringComparer.Ordinal), w => w.Name, static (w, workflow) =>
        {
            w.WriteString(PolicyFields.Workflow.Class, workflow.Class.ToString());
            w.WriteString(PolicyFields.Workflow.Owner, workflow.Owner);
            if (workflow.Limits is RunLimits limits)
            {
                w.WriteStartObject(PolicyFields.Workflow.Limits);
                WriteOptional(w, PolicyFields.Limits.MaxIterations, limits.MaxIterations);
                WriteOptional(w, PolicyFields.Limits.MaxToolCalls, limits.MaxToolCalls);
                WriteOptional(w, PolicyFields.Limits.MaxCostPerRun, limits.MaxCost);
                w.WriteEndObject();
            }
        });
        if (!Revoked.IsEmpty)
        {
            json.WritePropertyName(PolicyFields.Root.Revoked);
            json.WriteRawValue(Revoked.ToJson());
        }
    }
}

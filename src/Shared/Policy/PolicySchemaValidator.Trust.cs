// Shared between the runtime (AgentQuotas) and the analyzers (netstandard2.0): the parts of the policy that
// say whom to trust with what (issue 16): workflows bound to classes, class ceilings per tier and tenant,
// per-principal limits, the revocation list and same-version edits. Kept apart from PolicySchemaValidator.cs
// so the rest of the schema can change without touching it.
using System;
using System.Collections.Generic;
using System.Linq;

namespace AgentQuotas.Policy.Schema
{
    /// <summary>A tier's <c>principal</c> block.</summary>
    internal sealed class PrincipalModel
    {
        public double? Share;
        public double? Capacity;
        public double? RefillPerSecond;
        public double? MaxCostPerDay;
    }

    /// <summary>A <c>workflows</c> entry.</summary>
    internal sealed class WorkflowModel
    {
        public string Name = "";
        public int Line;
        public int Column;
        public string Class = "";
        public string Owner = "";
        public int? MaxIterations;
        public int? MaxToolCalls;
        public double? MaxCostPerRun;
    }

    /// <summary>The <c>revoked</c> section, or a revocation file.</summary>
    internal sealed class RevokedModel
    {
        public List<string> Tenants = new List<string>();
        public Dictionary<string, List<string>> Principals = new Dictionary<string, List<string>>(StringComparer.Ordinal);
    }

    internal sealed partial class PolicySchemaValidator
    {
        /// <summary>Most workflows a policy may define.</summary>
        internal const int MaxWorkflows = 10_000;

        /// <summary>Most entries (tenants plus principals) a revocation list may hold.</summary>
        internal const int MaxRevocations = 100_000;

        /// <summary>Parses and validates a revocation file (the shape of the policy's <c>revoked</c> section).</summary>
        public static RevokedModel? ValidateRevocations(string text, List<PolicyIssue> issues)
        {
            if (CheckSize(text.Length) is PolicyIssue tooLarge)
            {
                issues.Add(tooLarge);
                return null;
            }

            PolicyJsonNode root;
            try
            {
                root = PolicyJsonParser.Parse(text);
            }
            catch (PolicyJsonSyntaxError e)
            {
                issues.Add(new PolicyIssue(PolicyErrorKind.Syntax, e.Message, "$", e.Line, e.Column));
                return null;
            }

            var validator = new PolicySchemaValidator();
            RevokedModel? model = null;
            try
            {
                model = validator.ReadRevoked(root, "$");
            }
            catch (TooManyErrors e)
            {
                validator._issues.Add(e.Issue);
            }

            issues.AddRange(validator._issues);
            return issues.Count == 0 ? model : null;
        }

        // Root fields: allowSameVersionEdits, classCeiling, workflows, revoked.
        private void ValidateTrust(Dictionary<string, PolicyJsonProperty> fields)
        {
            if (fields.TryGetValue(PolicyFields.Root.AllowSameVersionEdits, out PolicyJsonProperty? edits))
            {
                _model.AllowSameVersionEdits = ReadBoolean(edits.Value, "$.allowSameVersionEdits") ?? false;
            }

            if (fields.TryGetValue(PolicyFields.Root.ClassCeiling, out PolicyJsonProperty? ceiling))
            {
                string? mode = ReadString(ceiling.Value, "$.classCeiling");
                if (mode != null && Array.IndexOf(PolicyFields.ClassCeilingModes.All, mode) < 0)
                {
                    Report(PolicyErrorKind.InvalidValue,
                        "classCeiling must be \"lower\" (a run that asks for a class above its ceiling runs at the ceiling) or \"refuse\" (it is refused), not '" + mode + "'"
                        + Suggest(mode, PolicyFields.ClassCeilingModes.All),
                        "$.classCeiling", ceiling.Value);
                }
                else if (mode != null)
                {
                    _model.ClassCeiling = mode;
                }
            }

            if (fields.TryGetValue(PolicyFields.Root.Workflows, out PolicyJsonProperty? workflows))
            {
                ValidateWorkflows(workflows.Value);
            }

            if (fields.TryGetValue(PolicyFields.Root.Revoked, out PolicyJsonProperty? revoked))
            {
                _model.Revoked = ReadRevoked(revoked.Value, "$.revoked");
            }
        }

        private void ValidateWorkflows(PolicyJsonNode workflows)
        {
            const string path = "$.workflows";
            if (!ExpectObject(workflows, path) || TooMany(workflows, path, MaxWorkflows, "workflows", string.Empty))
            {
                return;
            }

            foreach (PolicyJsonProperty property in UniqueMembers(workflows, path, "workflow"))
            {
                string workflowPath = PathOf(path, property.Name);
                CheckName(property, workflowPath, "workflow");
                if (!ExpectObject(property.Value, workflowPath))
                {
                    continue;
                }

                string what = "workflow '" + property.Name + "'";
                var workflow = new WorkflowModel { Name = property.Name, Line = property.Line, Column = property.Column };
                Dictionary<string, PolicyJsonProperty> fields = Fields(property.Value, workflowPath, what, PolicyFields.Workflow.All);
                if (Require(fields, property.Value, workflowPath, PolicyFields.Workflow.Class, what, out PolicyJsonNode? classNode))
                {
                    workflow.Class = ReadClassName(classNode!, workflowPath + ".class") ?? "";
                }

                if (Require(fields, property.Value, workflowPath, PolicyFields.Workflow.Owner, what, out PolicyJsonNode? ownerNode))
                {
                    string? owner = ReadString(ownerNode!, workflowPath + ".owner");
                    if (owner != null && owner.Trim().Length == 0)
                    {
                        Report(PolicyErrorKind.InvalidValue, "owner must name who answers for the workflow (a team or a person), not be empty", workflowPath + ".owner", ownerNode!);
                    }
                    else if (owner != null && IdentityText.Problem(owner) is string problem)
                    {
                        Report(PolicyErrorKind.InvalidValue, "owner " + problem, workflowPath + ".owner", ownerNode!);
                    }

                    workflow.Owner = owner ?? "";
                }

                if (fields.TryGetValue(PolicyFields.Workflow.Limits, out PolicyJsonProperty? limits) && ExpectObject(limits.Value, workflowPath + ".limits"))
                {
                    string limitsPath = workflowPath + ".limits";
                    Dictionary<string, PolicyJsonProperty> limitFields = Fields(limits.Value, limitsPath, "workflow limits", PolicyFields.Workflow.LimitFields);
                    (workflow.MaxIterations, workflow.MaxToolCalls, workflow.MaxCostPerRun) = ReadRunLimits(limitFields, limitsPath);
                }

                _model.Workflows.Add(workflow);
            }
        }

        // A tier's maxClass and principal block.
        private void ValidateTierTrust(TierModel tier, Dictionary<string, PolicyJsonProperty> fields, string path)
        {
            if (fields.TryGetValue(PolicyFields.Tier.MaxClass, out PolicyJsonProperty? maxClass))
            {
                tier.MaxClass = ReadClassName(maxClass.Value, path + ".maxClass");
            }

            if (!fields.TryGetValue(PolicyFields.Tier.Principal, out PolicyJsonProperty? principal) || !ExpectObject(principal.Value, path + ".principal"))
            {
                return;
            }

            string principalPath = path + ".principal";
            Dictionary<string, PolicyJsonProperty> principalFields = Fields(principal.Value, principalPath, "principal", PolicyFields.Principal.All);
            var model = new PrincipalModel();
            bool hasShare = principalFields.TryGetValue(PolicyFields.Principal.Share, out PolicyJsonProperty? share);
            bool hasCapacity = principalFields.TryGetValue(PolicyFields.Principal.Capacity, out PolicyJsonProperty? capacity);
            bool hasRefill = principalFields.TryGetValue(PolicyFields.Principal.RefillPerSecond, out PolicyJsonProperty? refill);
            if (hasShare)
            {
                model.Share = ReadNumber(share!.Value, principalPath + ".share", min: 0, minInclusive: false, max: 1);
                if (hasCapacity || hasRefill)
                {
                    Report(PolicyErrorKind.InvalidValue,
                        "a principal block gives either a share of each bucket or an absolute capacity and refillPerSecond, not both",
                        principalPath + ".share", share.Line, share.Column);
                }
            }
            else if (hasCapacity != hasRefill)
            {
                Report(PolicyErrorKind.MissingField,
                    "principal is missing required field '" + (hasCapacity ? PolicyFields.Principal.RefillPerSecond : PolicyFields.Principal.Capacity)
                    + "': an absolute principal bucket needs both capacity and refillPerSecond",
                    PathOf(principalPath, hasCapacity ? PolicyFields.Principal.RefillPerSecond : PolicyFields.Principal.Capacity), principal.Value);
            }
            else if (hasCapacity)
            {
                model.Capacity = ReadNumber(capacity!.Value, principalPath + ".capacity", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity);
                model.RefillPerSecond = ReadNumber(refill!.Value, principalPath + ".refillPerSecond", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity);
                if (model.Capacity is double c && model.RefillPerSecond is double r
                    && BucketShapeRules.Check(c, r, 0, 0, out string reason) != BucketShapeProblem.None)
                {
                    Report(PolicyErrorKind.InvalidValue, "principal: " + reason, principalPath + ".refillPerSecond", refill.Value);
                }
            }

            if (principalFields.TryGetValue(PolicyFields.Principal.MaxCostPerDay, out PolicyJsonProperty? maxCostPerDay))
            {
                model.MaxCostPerDay = ReadNumber(maxCostPerDay.Value, principalPath + ".maxCostPerDay", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity);
            }
            else if (!hasShare && !hasCapacity && !hasRefill)
            {
                Report(PolicyErrorKind.MissingField,
                    "principal must set a share, an absolute capacity and refillPerSecond, or maxCostPerDay", principalPath, principal.Value);
            }

            tier.Principal = model;
        }

        // A tenant's maxClass.
        private void ValidateTenantTrust(string tenant, Dictionary<string, PolicyJsonProperty> fields, string path)
        {
            if (fields.TryGetValue(PolicyFields.Tenant.MaxClass, out PolicyJsonProperty? maxClass)
                && ReadClassName(maxClass.Value, path + ".maxClass") is string name)
            {
                _model.TenantMaxClasses[tenant] = name;
            }
        }

        private RevokedModel? ReadRevoked(PolicyJsonNode node, string path)
        {
            if (!ExpectObject(node, path))
            {
                return null;
            }

            var model = new RevokedModel();
            int count = 0;
            Dictionary<string, PolicyJsonProperty> fields = Fields(node, path, "revoked", PolicyFields.Revoked.All);
            if (fields.TryGetValue(PolicyFields.Revoked.Tenants, out PolicyJsonProperty? tenants))
            {
                model.Tenants = ReadIdentityList(tenants.Value, path + ".tenants", "tenant id", ref count);
            }

            if (fields.TryGetValue(PolicyFields.Revoked.Principals, out PolicyJsonProperty? principals) && ExpectObject(principals.Value, path + ".principals"))
            {
                foreach (PolicyJsonProperty tenant in UniqueMembers(principals.Value, path + ".principals", "tenant"))
                {
                    string tenantPath = PathOf(path + ".principals", tenant.Name);
                    CheckName(tenant, tenantPath, "tenant id");
                    model.Principals[tenant.Name] = ReadIdentityList(tenant.Value, tenantPath, "principal", ref count);
                }
            }

            if (count > MaxRevocations)
            {
                Report(PolicyErrorKind.InvalidValue, "a revocation list may hold at most " + MaxRevocations + " entries, but this one has " + count, path, node);
            }

            return model;
        }

        private List<string> ReadIdentityList(PolicyJsonNode node, string path, string what, ref int count)
        {
            var names = new List<string>();
            if (node.Kind != PolicyJsonKind.Array)
            {
                Report(PolicyErrorKind.WrongType, "expected an array of " + what + " strings but found " + node.KindName, path, node);
                return names;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < node.Items.Count; i++)
            {
                string itemPath = path + "[" + i + "]";
                string? name = ReadString(node.Items[i], itemPath);
                if (name == null)
                {
                    continue;
                }

                if (name.Trim().Length == 0 || IdentityText.Problem(name) is string)
                {
                    Report(PolicyErrorKind.InvalidValue, "'" + name + "' is not a valid " + what + ": " + (IdentityText.Problem(name) ?? "it is empty"), itemPath, node.Items[i]);
                }
                else if (seen.Add(name))
                {
                    names.Add(name);
                    count++;
                }
            }

            return names;
        }

        private string? ReadClassName(PolicyJsonNode node, string path)
        {
            string? name = ReadString(node, path);
            if (name != null && Array.IndexOf(PolicyNames.WorkloadClasses, name) < 0)
            {
                Report(PolicyErrorKind.UnknownReference,
                    "unknown workload class '" + name + "'" + Suggest(name, PolicyNames.WorkloadClasses) + KnownList("classes", PolicyNames.WorkloadClasses),
                    path, node);
                return null;
            }

            return name;
        }
    }
}

using System;
using System.Collections.Immutable;
using System.Linq;
using AgentQuotas.Analyzers.Configuration;
using AgentQuotas.Diagnostics;
using AgentQuotas.Policy.Schema;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0013: a call of <c>QuotaGate.BeginRun</c> passes a literal workload class above what agentquotas.json lets any
    /// tenant run at (every tier's <c>maxClass</c>), or above the class of the literal workflow it names (the policy's
    /// <c>workflows</c>). The runtime lowers or refuses such a run (issue 16); the warning says so where the claim is written.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ClassCeilingAnalyzer : DiagnosticAnalyzer
    {
        private const string BeginRun = "BeginRun";

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.ClassAboveCeiling);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                INamedTypeSymbol? gate = start.Compilation.GetTypeByMetadataName("AgentQuotas.QuotaGate");
                INamedTypeSymbol? workloadClass = start.Compilation.GetTypeByMetadataName("AgentQuotas.WorkloadClass");
                if (gate == null || workloadClass == null)
                {
                    return;
                }

                PolicyModel? model = PolicyFile.Find(start.Options, start.CancellationToken)?.Model;
                if (model == null || (model.Workflows.Count == 0 && model.Tiers.All(t => t.MaxClass == null)))
                {
                    return; // nothing bounds the class
                }

                int anyTenant = model.Tiers.Count == 0 ? 0 : model.Tiers.Min(t => Rank(t.MaxClass ?? "Critical"));
                start.RegisterOperationAction(c => Analyze(c, gate, workloadClass, model, anyTenant), OperationKind.Invocation);
            });
        }

        private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol gate, INamedTypeSymbol workloadClass, PolicyModel model, int anyTenant)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (invocation.TargetMethod.Name != BeginRun || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, gate))
            {
                return;
            }

            IArgumentOperation? classArgument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "workloadClass");
            if (classArgument == null || classArgument.ArgumentKind == ArgumentKind.DefaultValue || !TryGetLiteralClass(classArgument.Value, workloadClass, out string? asked))
            {
                return;
            }

            int rank = Rank(asked!);
            string? why = null;
            IArgumentOperation? workflowArgument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "workflow");
            if (workflowArgument != null && workflowArgument.ArgumentKind != ArgumentKind.DefaultValue
                && workflowArgument.Value.ConstantValue is { HasValue: true, Value: string name })
            {
                WorkflowModel? listed = model.Workflows.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.Ordinal));
                if (listed != null && listed.Class.Length > 0 && rank < Rank(listed.Class))
                {
                    why = "workflow '" + listed.Name + "' runs at " + listed.Class + " (owner " + listed.Owner + ")";
                }
            }

            if (why == null && rank < anyTenant)
            {
                why = "the policy lets no tenant run above " + PolicyNames.WorkloadClasses[anyTenant] + " (every tier's maxClass)";
            }

            if (why != null)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ClassAboveCeiling, classArgument.Value.Syntax.GetLocation(), asked, why));
            }
        }

        // WorkloadClass.Critical, possibly converted to WorkloadClass? by the call.
        private static bool TryGetLiteralClass(IOperation value, INamedTypeSymbol workloadClass, out string? name)
        {
            while (value is IConversionOperation conversion && conversion.IsImplicit)
            {
                value = conversion.Operand;
            }

            name = null;
            if (value is IFieldReferenceOperation field && SymbolEqualityComparer.Default.Equals(field.Field.ContainingType, workloadClass) && field.Field.HasConstantValue)
            {
                name = field.Field.Name;
            }

            return name != null && Array.IndexOf(PolicyNames.WorkloadClasses, name) >= 0;
        }

        // Critical = 0 (the most urgent) ... Batch = 3, as WorkloadClass numbers them.
        private static int Rank(string name)
        {
            int rank = Array.IndexOf(PolicyNames.WorkloadClasses, name);
            return rank < 0 ? PolicyNames.WorkloadClasses.Length - 1 : rank;
        }
    }
}

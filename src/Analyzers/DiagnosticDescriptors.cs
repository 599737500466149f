using System.Linq;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers
{
    /// <summary>Every diagnostic the AgentQuotas analyzers report, in catalogue order (docs/rules/AQxxxx.md).</summary>
    internal static class DiagnosticDescriptors
    {
        private const string HelpLinkBase = "https://github.com/agentquotas/agentquotas/blob/main/docs/rules/";

        private const string Usage = "Usage";
        private const string Design = "Design";
        private const string Reliability = "Reliability";
        private const string Security = "Security";

        public static readonly DiagnosticDescriptor MissingBudget = new DiagnosticDescriptor(
            DiagnosticIds.MissingBudget,
            "Agent tool has no budget",
            "Agent tool '{0}' {1}",
            Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Every agent tool needs a [Cost] (units per call) and a quota category ([QuotaCategory] on the method or its type), so the guard knows which bucket pays and how much. Framework tools are tools: [KernelFunction], [McpServerTool], and methods handed to AIFunctionFactory.Create. Privileged tools report AQ0004 instead.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.MissingBudget + ".md");

        /// <summary>AQ0001 as found at the end of the compilation: a method handed to a framework as a tool (AIFunctionFactory.Create) without a budget.</summary>
        public static readonly DiagnosticDescriptor MissingBudgetOfHandedTool = AtCompilationEnd(
            MissingBudget,
            "A method handed to a framework as a tool (AIFunctionFactory.Create, KernelFunctionFactory.CreateFromMethod, McpServerTool.Create) is exposed to the model like any other tool, so it needs a [Cost] and a quota category.");

        public static readonly DiagnosticDescriptor CategoryNotInPolicy = new DiagnosticDescriptor(
            DiagnosticIds.CategoryNotInPolicy,
            "Quota category has no budget in agentquotas.json",
            "Category '{0}' has no budget in agentquotas.json: {1}",
            Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A category used in code must be budgeted in every tier of agentquotas.json; otherwise the gate refuses the tenant's calls with UnknownCategory at run time.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.CategoryNotInPolicy + ".md");

        public static readonly DiagnosticDescriptor UnboundedAgentLoop = new DiagnosticDescriptor(
            DiagnosticIds.UnboundedAgentLoop,
            "Agent loop is unbounded",
            "{0} is an unbounded agent loop: it {1}; {2}",
            Reliability,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A while, do, for(;;) loop or a recursion whose body calls a guarded tool, an [AgentTool] method, a model (IChatClient, Semantic Kernel chat and prompts, Agent Framework agents, OpenAI, the methods in agentquotas.model_methods) or a tool through a framework must be bounded: a for loop with a constant or parameter-free bound or the size of a collection it cannot change, a foreach over a finite collection, or an [AgentLoop] cap on the method (or on every caller on the way to it). A loop that waits for input each turn is a conversation: it runs as long as input comes, so it needs a cap too.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.UnboundedAgentLoop + ".md",
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        /// <summary>AQ0003 for the rule's own configuration: a wrong <c>agentquotas.model_methods</c> entry (docs/rules/AQ0003.md).</summary>
        public static readonly DiagnosticDescriptor InvalidModelMethodsOption = new DiagnosticDescriptor(
            DiagnosticIds.UnboundedAgentLoop,
            "agentquotas.model_methods has a wrong entry",
            "agentquotas.model_methods entry '{0}' is ignored: {1}; list model methods as Namespace.Type.Method, separated by commas",
            Reliability,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The .editorconfig option agentquotas.model_methods adds methods that call a model to what AQ0003 looks for. An entry that is not a type's metadata name followed by a method name, or names a method the type does not have, would silently check nothing, so it is reported.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.UnboundedAgentLoop + ".md",
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor UnguardedPrivilegedTool = new DiagnosticDescriptor(
            DiagnosticIds.UnguardedPrivilegedTool,
            "Privileged tool is unguarded",
            "Privileged tool '{0}' is unguarded: {1}",
            Security,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Privileged] tool acts with consequences, so it must have a budget ([Cost] and a category) and may only be called where the guard can wrap the call: not through a delegate, a method group, reflection, a dynamic call, an unannotated interface or base member, or a framework (Semantic Kernel, AIFunctionFactory, MCP) without its AgentQuotas integration.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.UnguardedPrivilegedTool + ".md");

        /// <summary>
        /// AQ0004 as found at the end of the compilation: a privileged tool handed to a framework whose AgentQuotas
        /// integration is referenced but may not be registered (the whole compilation must be seen to know).
        /// </summary>
        public static readonly DiagnosticDescriptor UnguardedPrivilegedToolInFramework = AtCompilationEnd(
            UnguardedPrivilegedTool,
            "A framework that calls tools by reflection or through a delegate (Semantic Kernel plugins, AIFunctionFactory, MCP tool registration) runs them where no interceptor can; only a registered AgentQuotas integration for that framework guards those calls.");

        public static readonly DiagnosticDescriptor InvalidFallback = new DiagnosticDescriptor(
            DiagnosticIds.InvalidFallback,
            "Invalid [Fallback] target",
            "[Fallback] of '{0}' is invalid: {1}",
            Reliability,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A [Fallback] names a method of the same type with the same parameters and return type, reachable from generated code, and not itself privileged: the guard calls it instead of the tool when a call is denied (DraftOnly).",
            helpLinkUri: HelpLinkBase + DiagnosticIds.InvalidFallback + ".md");

        public static readonly DiagnosticDescriptor InvalidCost = new DiagnosticDescriptor(
            DiagnosticIds.InvalidCost,
            "Invalid cost",
            "[Cost] of '{0}' is invalid: {1}",
            Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A fixed cost must be a finite number greater than zero. An estimator must be a static method of the same type, taking the tool's parameters (or a prefix of them) and returning double.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.InvalidCost + ".md");

        public static readonly DiagnosticDescriptor GuardedToolAsDelegate = new DiagnosticDescriptor(
            DiagnosticIds.GuardedToolAsDelegate,
            "Guarded tool used as a delegate",
            "{0} '{1}' is {2}, so calls through it are not wrapped by the quota guard; {3}",
            Design,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Interceptors wrap call sites, not delegates: a guarded tool (or an [AgentLoop] method) used as a method group, a delegate, a reflection target or inside an expression tree runs without the quota guard (or without its caps).",
            helpLinkUri: HelpLinkBase + DiagnosticIds.GuardedToolAsDelegate + ".md");

        public static readonly DiagnosticDescriptor InvalidPolicyFile = new DiagnosticDescriptor(
            DiagnosticIds.InvalidPolicyFile,
            "agentquotas.json is invalid",
            "agentquotas.json is invalid at {0}: {1}",
            Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The policy file is validated by the same code at build time and at load: syntax, unknown fields, bad values and unknown tiers or classes are errors, each reported where it is in the file.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.InvalidPolicyFile + ".md");

        public static readonly DiagnosticDescriptor CostExceedsCapacity = new DiagnosticDescriptor(
            DiagnosticIds.CostExceedsCapacity,
            "Tool cost exceeds bucket capacity",
            "'{0}' costs {1} units, more than the '{2}' bucket can ever admit {3}",
            Reliability,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A call is admitted only if its cost fits in capacity plus burst credits ((multiplier - 1) x refillPerSecond x maxSeconds); emergency classes may also borrow. A cost above that in every tier is an error, in some tiers a warning.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.CostExceedsCapacity + ".md");

        public static readonly DiagnosticDescriptor MissingPolicyFile = new DiagnosticDescriptor(
            DiagnosticIds.MissingPolicyFile,
            "No agentquotas.json among AdditionalFiles",
            "Tools are annotated for quota enforcement but no agentquotas.json is among AdditionalFiles, so budgets cannot be checked at build time; add <AdditionalFiles Include=\"agentquotas.json\" /> to the project",
            Usage,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "The analyzers read agentquotas.json from AdditionalFiles to check categories, costs and loop caps against the policy.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.MissingPolicyFile + ".md",
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor InterceptorsNotEnabled = new DiagnosticDescriptor(
            DiagnosticIds.InterceptorsNotEnabled,
            "Interceptors are not enabled for AgentQuotas",
            "{0} guarded call(s), the first to '{1}', would run without the quota guard: interceptors are not enabled for namespace 'AgentQuotas.Generated'; add <InterceptorsNamespaces>$(InterceptorsNamespaces);AgentQuotas.Generated</InterceptorsNamespaces> to the project",
            Security,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The generator guards calls with C# interceptors, which the compiler only accepts in namespaces listed in InterceptorsNamespaces.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.InterceptorsNotEnabled + ".md",
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor LoopCapExceedsPolicy = new DiagnosticDescriptor(
            DiagnosticIds.LoopCapExceedsPolicy,
            "[AgentLoop] cap exceeds the policy",
            "[AgentLoop] {0} = {1} on '{2}' exceeds {3} in every tier (largest: {4}); the tighter tier limit applies, so this cap is never reached",
            Design,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A run's caps are the tighter of its own and its tier's limits. A cap above every tier's limit has no effect and misleads readers.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.LoopCapExceedsPolicy + ".md");

        public static readonly DiagnosticDescriptor ClassAboveCeiling = new DiagnosticDescriptor(
            DiagnosticIds.ClassAboveCeiling,
            "Workload class above the policy's ceiling",
            "BeginRun asks for WorkloadClass.{0}, but {1}; the run is lowered or refused at run time (classCeiling)",
            Security,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "The policy bounds the class a run may have: a workflow listed in its workflows section runs at its class, and a tier's or tenant's maxClass caps every run of its tenants. A literal class above that bound in code claims a priority the policy will not grant.",
            helpLinkUri: HelpLinkBase + DiagnosticIds.ClassAboveCeiling + ".md");

        /// <summary>The same rule as <paramref name="rule"/> (id, title, message, category, severity, help link), reported at the end of the compilation.</summary>
        private static DiagnosticDescriptor AtCompilationEnd(DiagnosticDescriptor rule, string description) =>
            new DiagnosticDescriptor(
                rule.Id,
                rule.Title,
                rule.MessageFormat,
                rule.Category,
                rule.DefaultSeverity,
                rule.IsEnabledByDefault,
                description,
                rule.HelpLinkUri,
                rule.CustomTags.Concat(new[] { WellKnownDiagnosticTags.CompilationEnd }).ToArray());
    }
}

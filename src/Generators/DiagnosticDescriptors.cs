using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators
{
    /// <summary>The generator's own diagnostics: only problems that stop it from generating. Usage rules are the analyzers' (AQ0001-AQ0012).</summary>
    internal static class DiagnosticDescriptors
    {
        public const string CannotInterceptId = "AQ1001";
        public const string CannotCreateAIFunctionId = "AQ1002";

        private const string HelpBase = "https://github.com/agentquotas/agentquotas/blob/main/docs/rules/";

        /// <summary>A call to a guarded tool that cannot be intercepted would run unguarded: an error, so the build fails closed.</summary>
        public static readonly DiagnosticDescriptor CannotIntercept = new(
            CannotInterceptId,
            title: "A call to a guarded tool cannot be intercepted",
            messageFormat: "The call to guarded method '{0}' cannot be intercepted: {1}; it would run without its quota guard",
            category: "Reliability",
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The AgentQuotas generator wraps every call to a method carrying [Cost], [QuotaCategory], [Privileged], [AgentTool] or [AgentLoop] in an interceptor. Some calls cannot be intercepted (instance methods of structs, calls through base, methods of generic types whose type arguments are open at the call site, calls inside expression trees, signatures with inaccessible types). Such a call would bypass the guard, so the build fails instead.",
            helpLinkUri: HelpBase + CannotInterceptId + ".md");

        /// <summary>An [AgentTool] method that cannot become an AIFunction.</summary>
        public static readonly DiagnosticDescriptor CannotCreateAIFunction = new(
            CannotCreateAIFunctionId,
            title: "No guarded AIFunction can be generated for an agent tool",
            messageFormat: "No guarded AIFunction is generated for agent tool '{0}': {1}",
            category: "Usage",
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "When Microsoft.Extensions.AI.Abstractions is referenced, the generator turns every [AgentTool] method into an AIFunction whose calls go through the quota guard. Generic methods, ref/out parameters, pointer and ref-struct parameters, and tools of generic or private types cannot be exposed to a model this way.",
            helpLinkUri: HelpBase + CannotCreateAIFunctionId + ".md");

        public static DiagnosticDescriptor For(Models.DiagnosticKind kind) =>
            kind == Models.DiagnosticKind.CannotIntercept ? CannotIntercept : CannotCreateAIFunction;
    }
}

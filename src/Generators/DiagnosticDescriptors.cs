using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators
{
    /// <summary>The generator's own diagnostics: only problems that stop it from generating. Usage rules are the analyzers' (AQ0001-AQ0012).</summary>
    internal static class DiagnosticDescriptors
    {
        public const string CannotInterceptId = "AQ1001";
        public const string CannotCreateAIFunctionId = "AQ1002";
        public const string CannotGuardDeclarationId = "AQ1003";
        public const string ConflictingAnnotationsId = "AQ1004";
        public const string CannotCountModelCallId = "AQ1005";

        private const string HelpBase = "https://github.com/agentquotas/agentquotas/blob/main/docs/rules/";

        /// <summary>A call to a guarded tool that cannot be intercepted would run unguarded: an error, so the build fails closed.</summary>
        public static readonly DiagnosticDescriptor CannotIntercept = new(
            CannotInterceptId,
            title: "A call to a guarded tool cannot be intercepted",
            messageFormat: "The call to guarded method '{0}' cannot be intercepted: {1}; it would run without its quota guard",
            category: "Reliability",
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The AgentQuotas generator wraps every call to a method carrying [Cost], [QuotaCategory], [Privileged], [AgentTool] or [AgentLoop] (or overriding or implementing a member that does) in an interceptor. Some calls cannot be intercepted (instance methods of structs, calls through base, methods of generic types whose type arguments are open at the call site, calls inside expression trees, local functions, static abstract interface members, signatures with inaccessible, file-local or pointer types). Such a call would bypass the guard, so the build fails instead.",
            helpLinkUri: HelpBase + CannotInterceptId + ".md");

        /// <summary>An agent tool that cannot become an AIFunction.</summary>
        public static readonly DiagnosticDescriptor CannotCreateAIFunction = new(
            CannotCreateAIFunctionId,
            title: "No guarded AIFunction can be generated for an agent tool",
            messageFormat: "No guarded AIFunction is generated for agent tool '{0}': {1}",
            category: "Usage",
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "When Microsoft.Extensions.AI.Abstractions is referenced, the generator turns every agent tool ([AgentTool], or [KernelFunction]/[McpServerTool] with a budget) into an AIFunction whose calls go through the quota guard. Generic methods, ref/out parameters, pointer and ref-struct parameters, default values that cannot be written in C#, interface and abstract members, and tools of generic, file-local or private types cannot be exposed to a model this way. Only [AgentTool] methods are reported: a [KernelFunction]/[McpServerTool] tool reaches models through its framework's integration.",
            helpLinkUri: HelpBase + CannotCreateAIFunctionId + ".md");

        /// <summary>A tool attribute on something no call to which can be intercepted.</summary>
        public static readonly DiagnosticDescriptor CannotGuardDeclaration = new(
            CannotGuardDeclarationId,
            title: "A tool or loop attribute is on a member whose calls cannot be intercepted",
            messageFormat: "'{0}' carries {1} but is {2}; its calls would run without the quota guard",
            category: "Reliability",
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Only calls to ordinary methods can be intercepted. [Cost], [QuotaCategory], [Privileged], [AgentTool] or [AgentLoop] on a property accessor, a local function, a lambda, an operator or a constructor promises a guard (or a cap) that nothing would enforce, so the build fails instead.",
            helpLinkUri: HelpBase + CannotGuardDeclarationId + ".md");

        /// <summary>A method and a member it overrides or implements disagree about how its calls are guarded.</summary>
        public static readonly DiagnosticDescriptor ConflictingAnnotations = new(
            ConflictingAnnotationsId,
            title: "A method's AgentQuotas annotations conflict with the member it overrides or implements",
            messageFormat: "Conflicting AgentQuotas annotations: {0}",
            category: "Reliability",
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A call through an interface or base-class member is guarded with that member's annotations; a call on the implementing or overriding member with its own, completed by the inherited ones. When both declare a cost, category, tool name, fallback or loop caps, they must agree, or the same operation would be charged differently depending on the reference it is called through. A [Privileged] member never loses approval by being overridden or implemented.",
            helpLinkUri: HelpBase + ConflictingAnnotationsId + ".md");

        /// <summary>A model call in an [AgentLoop] method that cannot be counted against the loop's caps.</summary>
        public static readonly DiagnosticDescriptor CannotCountModelCall = new(
            CannotCountModelCallId,
            title: "A model call in an [AgentLoop] method cannot be counted",
            messageFormat: "The model call '{0}' in [AgentLoop] method '{1}' cannot be counted against the loop's caps: {2}",
            category: "Reliability",
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Every model call (IChatClient, Semantic Kernel chat completion and prompts, Agent Framework agents) written in an [AgentLoop] method is intercepted and counted as an iteration of the loop's run. A call that cannot be intercepted (through base, inside an expression tree) would not be counted, so the cap would not hold; the build fails instead.",
            helpLinkUri: HelpBase + CannotCountModelCallId + ".md");

        /// <summary>Every descriptor, for tests and documentation checks.</summary>
        public static readonly DiagnosticDescriptor[] All = { CannotIntercept, CannotCreateAIFunction, CannotGuardDeclaration, ConflictingAnnotations, CannotCountModelCall };

        public static DiagnosticDescriptor For(Models.DiagnosticKind kind) => kind switch
        {
            Models.DiagnosticKind.CannotIntercept => CannotIntercept,
            Models.DiagnosticKind.CannotCreateAIFunction => CannotCreateAIFunction,
            Models.DiagnosticKind.CannotGuardDeclaration => CannotGuardDeclaration,
            Models.DiagnosticKind.ConflictingAnnotations => ConflictingAnnotations,
            _ => CannotCountModelCall,
        };
    }
}

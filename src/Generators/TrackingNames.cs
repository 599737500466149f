namespace AgentQuotas.Generators
{
    /// <summary>Names of the generator's pipeline steps, for caching tests and diagnostics.</summary>
    internal static class TrackingNames
    {
        /// <summary>Each invocation of a guarded or loop method, as an interceptable call site (or a reason it cannot be).</summary>
        public const string CallSites = "CallSites";

        /// <summary>Each declaration with attributes the generator reads, parsed once (tools, loops, declaration problems, registry entries).</summary>
        public const string AnnotatedMembers = "AnnotatedMembers";

        /// <summary>All call sites, collected.</summary>
        public const string CollectedCallSites = "CollectedCallSites";

        /// <summary>Each [AgentTool] method described for an AIFunction.</summary>
        public const string AgentTools = "AgentTools";

        /// <summary>Each [KernelFunction] or [McpServerTool] method with a budget, described for an AIFunction.</summary>
        public const string FrameworkTools = "FrameworkTools";

        /// <summary>All agent tools, collected.</summary>
        public const string CollectedAgentTools = "CollectedAgentTools";

        /// <summary>Whether Microsoft.Extensions.AI.Abstractions is referenced.</summary>
        public const string AIFunctionsEnabled = "AIFunctionsEnabled";

        /// <summary>One model per generated file: a tool type's guards, interceptors and AIFunctions.</summary>
        public const string GuardFiles = "GuardFiles";

        /// <summary>Problems of declarations that carry a tool or loop attribute (unguardable kinds, conflicting annotations).</summary>
        public const string Declarations = "Declarations";

        /// <summary>Each [AgentLoop] method with the model calls in its body.</summary>
        public const string LoopBodies = "LoopBodies";

        /// <summary>All loop bodies, collected.</summary>
        public const string CollectedLoopBodies = "CollectedLoopBodies";

        /// <summary>One model per generated file of model-call interceptors (a type's [AgentLoop] methods).</summary>
        public const string ModelCallFiles = "ModelCallFiles";

        /// <summary>Whether the referenced runtime has the tool registry.</summary>
        public const string RegistryEnabled = "RegistryEnabled";

        /// <summary>Each annotated method described for the tool registry.</summary>
        public const string RegistryMethods = "RegistryMethods";

        /// <summary>All tool registry entries, collected.</summary>
        public const string RegistryEntries = "RegistryEntries";

        /// <summary>Diagnostics about calls or tools the generator cannot handle.</summary>
        public const string Diagnostics = "Diagnostics";
    }
}

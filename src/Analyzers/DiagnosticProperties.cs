namespace AgentQuotas.Analyzers
{
    /// <summary>Keys of the properties analyzers attach to diagnostics for the code fixes (linked into the CodeFixes project).</summary>
    internal static class DiagnosticProperties
    {
        /// <summary>"true" when the tool lacks a [Cost].</summary>
        public const string MissingCost = "AQ.MissingCost";

        /// <summary>"true" when the tool lacks a category on the method and its type.</summary>
        public const string MissingCategory = "AQ.MissingCategory";

        /// <summary>Categories budgeted in agentquotas.json, in document order, separated by <see cref="Separator"/>.</summary>
        public const string Categories = "AQ.Categories";

        /// <summary>What an AQ0004 is about: <see cref="BudgetKind"/> or <see cref="ReferenceKind"/>.</summary>
        public const string Kind = "AQ.Kind";

        public const string BudgetKind = "Budget";

        public const string ReferenceKind = "Reference";

        /// <summary>Methods a [Fallback] could name instead, best first, separated by <see cref="Separator"/>.</summary>
        public const string FallbackCandidates = "AQ.FallbackCandidates";

        /// <summary>"true" when the method already carries an [AgentLoop] that sets no cap.</summary>
        public const string HasUncappedAgentLoop = "AQ.HasUncappedAgentLoop";

        public const char Separator = '|';
    }
}

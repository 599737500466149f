namespace SupportDesk.Agent;

/// <summary>What became of one tool call the model asked for.</summary>
public enum ToolCallOutcome
{
    /// <summary>The tool ran (at once or after waiting in a queue).</summary>
    Ran = 0,

    /// <summary>The tool was refused and its fallback served a draft instead (DraftOnly).</summary>
    Drafted = 1,

    /// <summary>The gate refused the call and nothing served it; the model was told why and when to retry.</summary>
    Denied = 2,

    /// <summary>The model sent arguments the tool cannot take; nothing was charged.</summary>
    InvalidArguments = 3,

    /// <summary>The model asked for a tool the agent does not have.</summary>
    UnknownTool = 4,
}

namespace SupportDesk.Agent;

/// <summary>How a conversation ended.</summary>
public enum AnswerStatus
{
    /// <summary>The model gave its final answer.</summary>
    Answered = 0,

    /// <summary>The gate refused the next model turn (the loop's iteration cap, the model budget, a quarantine): the loop stopped.</summary>
    Stopped = 1,

    /// <summary>The run was still going when the simulation ended and was cancelled.</summary>
    CutOff = 2,
}

using System.ComponentModel;

namespace AgentQuotas.Guard;

/// <summary>
/// A model call that an <see cref="AgentLoopAttribute"/> interceptor has already counted as an iteration.
/// While the call runs, <see cref="Current"/> is this turn in the call's async flow, so a guarding chat
/// client further down (AgentQuotas.Extensions.AI's <c>GuardedChatClient</c>) does not count the same
/// round trip again: it claims the turn's iteration once, and says when it charges the tokens itself.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ModelTurn
{
    private static readonly AsyncLocal<ModelTurn?> CurrentTurn = new();
    private int _iterationClaimed;
    private int _tokensChargedElsewhere;

    internal ModelTurn(AgentRun run)
    {
        Run = run;
    }

    /// <summary>The model call being made in this async flow by an intercepted call, or <see langword="null"/>.</summary>
    public static ModelTurn? Current => CurrentTurn.Value;

    /// <summary>The run the turn's iteration was counted in.</summary>
    public AgentRun Run { get; }

    internal bool TokensChargedElsewhere => Volatile.Read(ref _tokensChargedElsewhere) != 0;

    /// <summary>
    /// Claims the iteration this turn already counted, for the first model round trip made inside it.
    /// </summary>
    /// <param name="run">The run the caller would count an iteration in.</param>
    /// <returns>
    /// <see langword="true"/> once, when <paramref name="run"/> is the turn's run: the caller must not count
    /// this round trip again. <see langword="false"/> for later round trips (a function-invoking client
    /// calls the model several times) and for other runs: the caller counts as usual.
    /// </returns>
    public bool TryClaimIteration(AgentRun run) =>
        ReferenceEquals(run, Run) && Interlocked.Exchange(ref _iterationClaimed, 1) == 0;

    /// <summary>Says that the caller charges this turn's tokens itself, so the interceptor does not charge them again.</summary>
    public void ChargeTokensElsewhere() => Volatile.Write(ref _tokensChargedElsewhere, 1);

    internal static ModelTurn? Enter(ModelTurn turn)
    {
        ModelTurn? previous = CurrentTurn.Value;
        CurrentTurn.Value = turn;
        return previous;
    }

    internal static void Exit(ModelTurn? previous) => CurrentTurn.Value = previous;
}

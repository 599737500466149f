namespace AgentQuotas.Routing;

/// <summary>A slot of a model pool held by one turn; released once, whoever releases it first.</summary>
internal sealed class ModelSlot
{
    private readonly ModelPools _owner;
    private int _released;

    public ModelSlot(ModelPools owner, string pool, long acquiredAt)
    {
        _owner = owner;
        Pool = pool;
        AcquiredAt = acquiredAt;
    }

    public string Pool { get; }

    /// <summary>When the slot was taken, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long AcquiredAt { get; }

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _owner.Release(this);
        }
    }
}

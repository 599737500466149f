namespace AgentQuotas.Policy;

/// <summary>A named compute pool: a concurrency limit that serves some classes (reserved) or all (shared).</summary>
public sealed class PoolPolicy
{
    internal PoolPolicy(string name, int concurrency, IReadOnlyList<WorkloadClass>? classes, bool isPrivileged = false)
    {
        IsPrivileged = isPrivileged;
        Name = name;
        Concurrency = concurrency;
        Classes = classes;
    }

    /// <summary>The pool name.</summary>
    public string Name { get; }

    /// <summary>Most calls running in the pool at once.</summary>
    public int Concurrency { get; }

    /// <summary>The classes a reserved pool serves; <see langword="null"/> for a shared pool.</summary>
    public IReadOnlyList<WorkloadClass>? Classes { get; }

    /// <summary>
    /// Whether the pool is reserved for privileged tools (<c>pools.&lt;name&gt;.privileged: true</c>): while the policy has such a
    /// pool, privileged tools run only in privileged pools and other tools never do.
    /// </summary>
    public bool IsPrivileged { get; }

    /// <summary>Whether the pool serves only its listed classes.</summary>
    public bool IsReserved => Classes is not null;

    /// <summary>Whether the pool serves <paramref name="workloadClass"/>.</summary>
    /// <param name="workloadClass">The class to check.</param>
    public bool Serves(WorkloadClass workloadClass) => Classes is null || Classes.Contains(workloadClass);
}

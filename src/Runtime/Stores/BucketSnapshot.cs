namespace AgentQuotas.Stores;

/// <summary>A bucket's state at one moment.</summary>
/// <param name="Available">Units available now: bucket level plus banked burst credits (negative while in debt).</param>
/// <param name="Level">The bucket level alone (negative while in debt).</param>
/// <param name="BurstCredits">Banked burst credits.</param>
public readonly record struct BucketSnapshot(double Available, double Level, double BurstCredits);

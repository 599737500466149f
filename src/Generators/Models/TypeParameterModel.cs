namespace AgentQuotas.Generators.Models
{
    /// <summary>A method type parameter and its constraint clause (empty when unconstrained).</summary>
    internal sealed record TypeParameterModel(string Name, string Constraints);
}

namespace AgentQuotas.Routing;

/// <summary>How a turn came to its model.</summary>
public enum ModelRouteKind
{
    /// <summary>It went to its preferred model (a routing rule's model, else the request's, else the most capable).</summary>
    Preferred = 0,

    /// <summary>Its preferred model's pool was saturated or its estimated wait over the class's budget, so it went to the next model able to serve it.</summary>
    Rerouted = 1,
}

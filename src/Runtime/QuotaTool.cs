namespace AgentQuotas;

/// <summary>
/// Describes a guarded tool to the gate: its name, the category that pays for it, and whether it is
/// privileged, needs approval or has a fallback. Generated code keeps one instance per tool in a
/// static field, so acquiring allocates nothing.
/// </summary>
public sealed class QuotaTool
{
    /// <summary>Creates a tool descriptor.</summary>
    /// <param name="name">The tool name recorded in audit and telemetry.</param>
    /// <param name="category">The quota category.</param>
    /// <param name="isPrivileged">Whether the tool is <see cref="PrivilegedAttribute">privileged</see>.</param>
    /// <param name="requiresApproval">Whether each call needs approval first (implies privileged).</param>
    /// <param name="hasFallback">Whether a <see cref="FallbackAttribute"/> method can serve a denied call.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="category"/> breaks the identity-string rule (see <see cref="AgentIdentity(string, string)"/>).</exception>
    public QuotaTool(string name, string category, bool isPrivileged = false, bool requiresApproval = false, bool hasFallback = false)
    {
        AgentIdentity.ValidateText(name, nameof(name), "tool name");
        AgentIdentity.ValidateText(category, nameof(category), "category");
        Name = name;
        Category = category;
        IsPrivileged = isPrivileged || requiresApproval;
        RequiresApproval = requiresApproval;
        HasFallback = hasFallback;
    }

    /// <summary>The tool name.</summary>
    public string Name { get; }

    /// <summary>The quota category that pays for the tool's calls.</summary>
    public string Category { get; }

    /// <summary>Whether the tool is privileged.</summary>
    public bool IsPrivileged { get; }

    /// <summary>Whether each call needs approval before it runs.</summary>
    public bool RequiresApproval { get; }

    /// <summary>Whether a fallback can serve a denied call (DraftOnly).</summary>
    public bool HasFallback { get; }

    /// <inheritdoc/>
    public override string ToString() => Name + " (" + Category + ")";
}

namespace AgentQuotas;

/// <summary>
/// Marks a tool that acts with consequences (moves money, deletes data, contacts customers). A
/// privileged tool must be budgeted and may only be called where the guard can wrap it (analyzer
/// AQ0004); with <see cref="RequiresApproval"/> every call first needs a yes from the configured
/// <see cref="IApprovalService"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PrivilegedAttribute : Attribute
{
    /// <summary>When <see langword="true"/>, each call needs approval before it runs. Default <see langword="false"/>.</summary>
    public bool RequiresApproval { get; set; }
}

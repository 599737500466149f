using System.ComponentModel;
using System.Text.Json;

namespace AgentQuotas.Guard;

/// <summary>
/// The JSON schema of a generated AIFunction, parsed once into its static field. Not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ToolSchema
{
    /// <summary>Parses <paramref name="json"/> into a <see cref="JsonElement"/> that outlives the document it came from.</summary>
    /// <param name="json">The schema, as the generator wrote it.</param>
    /// <returns>The schema's root element.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="JsonException"><paramref name="json"/> is not JSON.</exception>
    public static JsonElement Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

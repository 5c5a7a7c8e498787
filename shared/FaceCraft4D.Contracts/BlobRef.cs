namespace FaceCraft4D.Contracts;

/// <summary>
/// A reference to one blob. Activities and the worker exchange these, never pixel payloads.
/// </summary>
/// <param name="Container">Blob container, e.g. <c>runs</c>.</param>
/// <param name="Name">Blob name inside the container, e.g. <c>{runId}/stages/preprocess/0/crop.png</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content when known; part of downstream input hashes.</param>
public sealed record BlobRef(string Container, string Name, string? Sha256 = null)
{
    /// <summary><c>container/name</c>.</summary>
    public override string ToString() => $"{Container}/{Name}";
}

namespace FaceCraft4D.Storage;

/// <summary>A blob's content and the version (ETag) it was read at, for a conditional write back.</summary>
/// <param name="Content">The content.</param>
/// <param name="Version">The opaque version; changes with every write.</param>
public sealed record VersionedBlobContent(BinaryData Content, string Version);

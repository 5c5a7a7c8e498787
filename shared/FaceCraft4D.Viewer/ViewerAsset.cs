namespace FaceCraft4D.Viewer;

/// <summary>A file the viewer serves: its bytes' origin and content type.</summary>
/// <param name="Path">Request path under the asset base, e.g. <c>viewer.js</c> or <c>vendor/spark.module.min.js</c>.</param>
/// <param name="ContentType">MIME type with charset where textual.</param>
/// <param name="EmbeddedName">Manifest resource name for our own files; null for vendored modules.</param>
/// <param name="NodeModulesPath">Path inside <c>node_modules</c> of a vendored module (the fallback source).</param>
public sealed record ViewerAsset(string Path, string ContentType, string? EmbeddedName, string? NodeModulesPath)
{
    public bool IsVendor => EmbeddedName is null;
}

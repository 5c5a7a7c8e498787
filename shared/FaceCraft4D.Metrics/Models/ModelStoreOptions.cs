namespace FaceCraft4D.Metrics.Models;

/// <summary>
/// Where the operator-supplied metric networks live: a local folder laid out like the <c>models</c> blob container,
/// <c>{Root}/{prior}/{version}/...</c> (the worker materialises the blobs there). Configuration section <c>Metrics:Models</c>.
/// </summary>
public sealed class ModelStoreOptions
{
    /// <summary>Root folder; null or missing: every weight-based metric except ID similarity is skipped with a reason.</summary>
    public string? Root { get; set; }

    /// <summary>LPIPS version folder under <c>lpips/</c> (see the README for the layout).</summary>
    public string LpipsVersion { get; set; } = "v0.1";

    /// <summary>CLIP version folder under <c>clip/</c>.</summary>
    public string ClipVersion { get; set; } = "vit-b-32";

    /// <summary>ArcFace version folder under <c>arcface/</c> (optional ID backend).</summary>
    public string ArcFaceVersion { get; set; } = "r100";

    /// <summary>Inception version folder under <c>inception/</c>.</summary>
    public string InceptionVersion { get; set; } = "pt-inception-2015-12-05";

    /// <summary>The folder of one prior/version, or null when <see cref="Root"/> is unset.</summary>
    public string? Folder(string prior, string version) =>
        string.IsNullOrWhiteSpace(Root) ? null : Path.Combine(Root, prior, version);
}

using System.Text.Json.Serialization;

namespace FaceCraft4D.Models.Manifest;

/// <summary>
/// One upstream file and where it lands: <see cref="Source"/> (the official file name, as an import folder holds it)
/// is fetched from <see cref="Url"/>, checked against <see cref="Size"/> and <see cref="Sha256"/>, converted by
/// <see cref="Convert"/> and installed as <see cref="Install"/> inside the prior's folder.
/// </summary>
public sealed record ManifestFile
{
    /// <summary>Official relative name (e.g. <c>base_models/warping_module.pth</c>); its file name is matched by import.</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }

    /// <summary>Download URL; null for files that can only be imported.</summary>
    [JsonPropertyName("url")] public string? Url { get; init; }

    /// <summary>Upstream size in bytes; null when not published.</summary>
    [JsonPropertyName("size")] public long? Size { get; init; }

    /// <summary>Upstream sha256 (lower-case hex); null when unknown (pull then needs --trust-on-first-use).</summary>
    [JsonPropertyName("sha256")] public string? Sha256 { get; init; }

    /// <summary>Where the pinned checksum was read (the upstream page), for auditing.</summary>
    [JsonPropertyName("sha256Source")] public string? Sha256Source { get; init; }

    /// <summary>A published prefix of the sha256 (torch.hub file names carry 8 hex digits), checked when the full hash is unknown.</summary>
    [JsonPropertyName("sha256Prefix")] public string? Sha256Prefix { get; init; }

    /// <summary>Path inside the prior folder (e.g. <c>warping_module.safetensors</c>).</summary>
    [JsonPropertyName("install")] public required string Install { get; init; }

    /// <summary>Conversion, one of <see cref="ConversionKinds"/>.</summary>
    [JsonPropertyName("convert")] public string Convert { get; init; } = ConversionKinds.Copy;

    /// <summary>False for optional files (e.g. the LivePortrait models.yaml).</summary>
    [JsonPropertyName("required")] public bool Required { get; init; } = true;

    /// <summary>True when the upstream checksum is pinned.</summary>
    [JsonIgnore] public bool Pinned => !string.IsNullOrEmpty(Sha256);

    /// <summary>File name of <see cref="Source"/>.</summary>
    [JsonIgnore] public string SourceFileName => Path.GetFileName(Source.Replace('\\', '/'));
}

/// <summary>Values of <see cref="ManifestFile.Convert"/>.</summary>
public static class ConversionKinds
{
    /// <summary>Installed byte for byte (safetensors, json, yaml).</summary>
    public const string Copy = "copy";

    /// <summary>A PyTorch <c>torch.save</c> state dict (<c>.pth</c>/<c>.ckpt</c>/<c>.bin</c>, zip format) → safetensors, same key names.</summary>
    public const string PthToSafeTensors = "pth-to-safetensors";

    /// <summary>
    /// A checkpoint holding several state dicts (<c>{part: state_dict}</c>) → one safetensors with keys
    /// <c>{part}.{key}</c>, a leading <c>module.</c> removed (LivePortrait's stitching_retargeting_module.pth).
    /// </summary>
    public const string PthFlattenNested = "pth-flatten-nested";

    /// <summary>
    /// Derived: the lpips package's single <c>LPIPS(net='vgg')</c> file (the project's one LPIPS file) from the installed lpips-sources prior
    /// (<c>trunk.safetensors</c> + <c>lin.safetensors</c>): <c>features.i</c> → <c>net.sliceK.i</c>, the heads as they are,
    /// plus the fixed <c>scaling_layer</c> buffers.
    /// </summary>
    public const string LpipsVgg16FromParts = "lpips-vgg16-from-trunk-and-lin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Copy, PthToSafeTensors, PthFlattenNested, LpipsVgg16FromParts };
}

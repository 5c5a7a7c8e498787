using System.Text.Json.Serialization;

namespace FaceCraft4D.Viewer.Animation;

/// <summary>
/// <c>animation/index.json</c> next to <c>avatar.ply</c>: the per-frame Gaussian position offsets the viewer plays back
/// (FLAME skinning done by the Export stage, one frame at a time). Format <see cref="FormatTag"/>:
/// every clip file is a raw little-endian array of FrameCount × GaussianCount × 3 numbers, frame-major, each triple the
/// (dx, dy, dz) to add to the x, y, z of the same-index vertex of <c>avatar.ply</c> (same coordinate frame and units);
/// <c>encoding</c> is <c>float16</c> (IEEE half, 6 bytes per Gaussian per frame) or <c>float32</c>. Rotations, scales,
/// colours and opacities stay those of <c>avatar.ply</c>.
/// </summary>
/// <param name="Format">Always <see cref="FormatTag"/>.</param>
/// <param name="GaussianCount">Vertices of avatar.ply the offsets apply to.</param>
/// <param name="Clips">The clips, each with its file relative to the artifact root (e.g. <c>animation/talk.f16</c>).</param>
public sealed record GaussianAnimationIndex(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("gaussianCount")] int GaussianCount,
    [property: JsonPropertyName("clips")] IReadOnlyList<GaussianAnimationClip> Clips)
{
    public const string FormatTag = "fc4d.gaussian-animation/1";

    /// <summary>Artifact name of the index, relative to <c>avatars/{runId}/</c>.</summary>
    public const string ArtifactName = "animation/index.json";
}

/// <summary>One clip of <see cref="GaussianAnimationIndex"/>.</summary>
public sealed record GaussianAnimationClip(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("fps")] double Fps,
    [property: JsonPropertyName("frameCount")] int FrameCount,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("encoding")] string Encoding);

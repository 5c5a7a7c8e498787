using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Animations;

namespace FaceCraft4D.Api.Animations;

/// <summary><c>GET /api/avatars/{id}/animations/{animationId}</c>: the job's status, per-chunk progress and, once done, its files.</summary>
public sealed record AnimationStatusView(
    string RunId,
    string AnimationId,
    string? Name,
    string RuntimeStatus,
    DateTimeOffset CreatedTime,
    DateTimeOffset LastUpdatedTime,
    RunProgress? CustomStatus,
    VideoAnimationOutput? Output,
    string? Error,
    AnimationUrls Urls);

/// <summary>Where a job and its results are.</summary>
/// <param name="StatusQueryGetUri">This job's status.</param>
/// <param name="ClipUri">The clip file (once published).</param>
/// <param name="PreviewMp4Uri">The side-by-side preview MP4 (once published).</param>
/// <param name="PreviewGifUri">The preview GIF (once published).</param>
/// <param name="ViewerUri">The avatar's viewer, which lists the clip.</param>
public sealed record AnimationUrls(string StatusQueryGetUri, string? ClipUri, string? PreviewMp4Uri, string? PreviewGifUri, string ViewerUri)
{
    /// <summary>URLs of a job under a base address such as <c>http://localhost:7071</c>.</summary>
    public static AnimationUrls For(string baseUrl, string runId, string animationId, string? name, string viewerPath)
    {
        var origin = baseUrl.TrimEnd('/');
        var artifacts = $"{origin}/api/avatars/{runId}/artifacts/";
        return new AnimationUrls(
            $"{origin}/api/avatars/{runId}/animations/{animationId}",
            name is null ? null : artifacts + PublishedAnimationFiles.Clip(name),
            name is null ? null : artifacts + PublishedAnimationFiles.PreviewMp4(name),
            name is null ? null : artifacts + PublishedAnimationFiles.PreviewGif(name),
            origin + viewerPath.Replace("{id}", runId, StringComparison.Ordinal));
    }
}

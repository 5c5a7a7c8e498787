using System.Diagnostics;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Video;
using FaceCraft4D.Vision.Rendering;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// The <c>liveportrait</c> video prior: LivePortrait animates the source view's static image in relative-expression
/// mode (the source head pose is kept). Driving signal (documented mapping from the clip): the clip animates the
/// subject's fitted head (as the rig backend does), rendered from the reference camera (view 0) at the network's input
/// size; LivePortrait's motion extractor turns these frames into expression offsets relative to the first frame, and
/// the same offsets drive every source view. Masks are the rig head's coverage from the source camera (LivePortrait
/// frames are not segmented). Needs the weights in the models store.
/// </summary>
public sealed class LivePortraitVideoBackend(LivePortraitProvider provider, IOptions<AnimationStageOptions> options) : IVideoPriorBackend
{
    /// <summary>Backend name in the run settings.</summary>
    public const string BackendName = "liveportrait";

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public async Task<AnimatedVideo> AnimateAsync(AnimateViewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var o = options.Value;
        var clock = Stopwatch.StartNew();
        var meshes = job.Scene.Head.Meshes(job.Frames, cancellationToken: cancellationToken);
        int size = o.LivePortraitInputSize;
        var reference = job.Scene.Views[0].Resized(size, size);
        var driving = meshes.Select(m => TexturedHeadRenderer.Render(m, job.Appearance, reference, o.Render).Image).ToArray();
        var masks = meshes.Select(m => TexturedHeadRenderer.Render(m, job.Appearance, job.Camera, o.Render).Mask).ToArray();
        double drivingSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var (images, backend) = await provider.RunExclusiveAsync(
            animator => (LivePortraitVideo.Animate(animator, job.SourceImage, driving, size, job.Camera.Width, o.LivePortrait, cancellationToken), animator.Backend),
            cancellationToken).ConfigureAwait(false);
        var metrics = new Dictionary<string, double>
        {
            ["driving_render_seconds"] = drivingSeconds,
            ["liveportrait_seconds"] = clock.Elapsed.TotalSeconds,
            ["liveportrait_seconds_per_frame"] = clock.Elapsed.TotalSeconds / Math.Max(1, images.Count),
        };
        return new AnimatedVideo(images, masks, backend, metrics,
            "LivePortrait relative expression: motion-extractor offsets (relative to frame 0) of the rig-animated head rendered from the reference camera");
    }
}

using System.Diagnostics;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Vision.Rendering;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// The <c>rig</c> video prior (no downloaded weights): the shape prior's fitted head, textured from the enhanced views,
/// posed by the clip's FLAME parameters frame by frame (mouth cavity and teeth behind the lips) and rendered from the
/// source view's camera with the z-buffer rasterizer (<see cref="TexturedHeadRenderer"/>).
/// </summary>
public sealed class RigVideoBackend(IOptions<AnimationStageOptions> options) : IVideoPriorBackend
{
    /// <summary>Backend name.</summary>
    public const string BackendName = "rig";

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public Task<AnimatedVideo> AnimateAsync(AnimateViewJob job, CancellationToken cancellationToken) => Task.Run(() =>
    {
        ArgumentNullException.ThrowIfNull(job);
        var clock = Stopwatch.StartNew();
        var meshes = job.Scene.Head.Meshes(job.Frames, cancellationToken: cancellationToken);
        double poseSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var images = new List<RgbImage>(meshes.Count);
        var masks = new List<FloatImage>(meshes.Count);
        foreach (var mesh in meshes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var frame = TexturedHeadRenderer.Render(mesh, job.Appearance, job.Camera, options.Value.Render);
            images.Add(frame.Image);
            masks.Add(frame.Mask);
        }
        var metrics = new Dictionary<string, double>
        {
            ["pose_seconds"] = poseSeconds,
            ["render_seconds"] = clock.Elapsed.TotalSeconds,
            ["render_seconds_per_frame"] = clock.Elapsed.TotalSeconds / Math.Max(1, meshes.Count),
        };
        return new AnimatedVideo(images, masks, BackendName, metrics,
            "FLAME parameters of the clip (semantic controls solved onto the model's expression basis) added to the fitted neutral; rendered from the source camera");
    }, cancellationToken);
}

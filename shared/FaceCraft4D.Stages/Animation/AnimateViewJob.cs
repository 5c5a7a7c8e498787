using FaceCraft4D.Animation.Clips;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Stages.Animation;

/// <summary>What a video-prior backend gets for one (source view, clip) work item.</summary>
/// <param name="Scene">The fitted head, cameras and prior appearance.</param>
/// <param name="Source">Source view index.</param>
/// <param name="Camera">The source view's camera (RenderSize).</param>
/// <param name="SourceImage">The source view's static image (enhanced, over white).</param>
/// <param name="Appearance">The head's appearance re-baked from the enhanced views.</param>
/// <param name="Clip">The driving clip.</param>
/// <param name="Frames">FLAME parameters of every frame (the fitted neutral plus the clip).</param>
public sealed record AnimateViewJob(
    FittedHeadScene Scene,
    int Source,
    Camera Camera,
    RgbImage SourceImage,
    HeadAppearance Appearance,
    DrivingClip Clip,
    IReadOnlyList<FlameFrame> Frames);

/// <summary>The frames a video-prior backend made.</summary>
/// <param name="Images">Colour frames over white, the camera's size.</param>
/// <param name="Masks">Coverage masks of the head.</param>
/// <param name="Backend">Backend name for the record (<c>rig</c>, <c>liveportrait:{model}</c>).</param>
/// <param name="Metrics">Figures.</param>
/// <param name="DrivingSignal">How the clip drove the frames, for video.json.</param>
public sealed record AnimatedVideo(
    IReadOnlyList<RgbImage> Images,
    IReadOnlyList<FloatImage> Masks,
    string Backend,
    IReadOnlyDictionary<string, double> Metrics,
    string DrivingSignal);

/// <summary>A video-prior backend (stage 5).</summary>
public interface IVideoPriorBackend
{
    /// <summary>Backend name as in the run settings (<c>rig</c>, <c>liveportrait</c>).</summary>
    string Name { get; }

    /// <summary>Animates one source view with one clip.</summary>
    /// <exception cref="BackendUnavailableException">The backend's weights are not here.</exception>
    Task<AnimatedVideo> AnimateAsync(AnimateViewJob job, CancellationToken cancellationToken);
}

using System.Globalization;

namespace FaceCraft4D.Stages.Animation;

/// <summary>Names of the files stages 5 (animate-view) and 6 (track-flame) write (documented in this folder's README.md).</summary>
public static class VideoStageFiles
{
    /// <summary>Animate-view: the video's description (JSON, <see cref="VideoDocument"/>).</summary>
    public const string Video = "video.json";

    /// <summary>Animate-view: the texture the video was rendered with (re-baked from the enhanced views).</summary>
    public const string Texture = "texture.png";

    /// <summary>Animate-view: a strip of frames for people.</summary>
    public const string Strip = "strip.png";

    /// <summary>Track-flame: tracked parameters of every frame (JSON, <see cref="Tracking.TrackingDocument"/>).</summary>
    public const string Tracking = "tracking.json";

    /// <summary>Track-flame: tracked static offsets (float32 LE, V x 3, canonical space, metres).</summary>
    public const string Offsets = "offsets.f32";

    /// <summary>Track-flame: cameras of the source views (Graphics <c>CameraSet</c>, names <c>orbit_XX</c>).</summary>
    public const string Cameras = "cameras.json";

    /// <summary>Track-flame: the landmarks detected on every frame (JSON).</summary>
    public const string Landmarks = "landmarks.json";

    /// <summary>Track-flame: tracked renders next to the frames, for people.</summary>
    public const string Overlay = "tracking-overlay.png";

    /// <summary>Animate-view: colour of frame t (RGB PNG over white, RenderSize).</summary>
    public static string Frame(int t) => $"frame-{t.ToString("D4", CultureInfo.InvariantCulture)}.png";

    /// <summary>Animate-view: coverage mask of frame t (8-bit PNG).</summary>
    public static string Mask(int t) => $"mask-{t.ToString("D4", CultureInfo.InvariantCulture)}.png";
}

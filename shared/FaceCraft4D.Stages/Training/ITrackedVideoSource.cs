using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Stages.Training;

/// <summary>One frame of one generated video: where its image is and which tracked FLAME frame it shows.</summary>
/// <param name="Frame">Frame index inside the clip (the index into <see cref="TrackedClip.Frames"/>).</param>
/// <param name="ImageInput">The request input holding the image (RGB PNG over white, the camera's size).</param>
public sealed record TrackedVideoFrame(int Frame, string ImageInput);

/// <summary>One generated video: a source view animated by a driving clip.</summary>
/// <param name="View">Orbit index of the source view (also its COIN embedding row).</param>
/// <param name="Clip">Driving clip.</param>
/// <param name="Camera">The view's camera (the video prior keeps the source camera; head motion is in the FLAME frames).</param>
/// <param name="Frames">Its frames, in order.</param>
public sealed record TrackedVideo(int View, int Clip, Camera Camera, IReadOnlyList<TrackedVideoFrame> Frames);

/// <summary>The tracked FLAME frames of a driving clip, shared by every source view (the driving signal is synchronised).</summary>
/// <param name="Clip">Clip index.</param>
/// <param name="Fps">Frames per second.</param>
/// <param name="Frames">FLAME expression and pose per frame (identity: the shape prior's).</param>
public sealed record TrackedClip(int Clip, double Fps, IReadOnlyList<FlameFrame> Frames);

/// <summary>What stages 5-6 provide to TrainCoin and Export.</summary>
/// <param name="Clips">Tracked clips (empty when the run has no videos).</param>
/// <param name="Videos">Generated videos (empty when the run has no videos).</param>
/// <param name="Backend">Which tracking/video backends produced them, for the result notes.</param>
public sealed record TrackedVideoSet(IReadOnlyList<TrackedClip> Clips, IReadOnlyList<TrackedVideo> Videos, string? Backend)
{
    /// <summary>No videos (a run whose stages 5-6 produced nothing, or were skipped).</summary>
    public static TrackedVideoSet Empty { get; } = new([], [], null);

    /// <summary>True when there is at least one video frame to train on.</summary>
    public bool HasVideos => Videos.Any(v => v.Frames.Count > 0);
}

/// <summary>
/// The seam between the video/tracking stages (5 AnimateView, 6 TrackFlame) and training/export: lists the videos, their
/// cameras and tracked FLAME frames from a work item's inputs. Images are read lazily through the request inputs.
/// </summary>
public interface ITrackedVideoSource
{
    /// <summary>Reads the listing; <see cref="TrackedVideoSet.Empty"/> when the request has no video or tracking inputs.</summary>
    Task<TrackedVideoSet> ReadAsync(StageJobContext context, IReadOnlyList<Camera> cameras);
}

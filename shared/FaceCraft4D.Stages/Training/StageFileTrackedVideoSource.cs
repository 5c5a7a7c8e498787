using System.Globalization;
using System.Text.RegularExpressions;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// <see cref="ITrackedVideoSource"/> for the file layout TrainCoin and Export expect from stages 5-6 (the Stages README,
/// "expected from stages 5-6"):
/// <list type="bullet">
/// <item><c>animate-view/src-XX-clip-YY/frame-FFF.png</c>: frame FFF of source view XX driven by clip YY (RGB over white,
/// RenderSize, camera XX of <c>shape-prior/views.json</c>);</item>
/// <item><c>track-flame/tracking.json</c>: <see cref="TrackingDocument"/>, the FLAME frames of every clip.</item>
/// </list>
/// A frame without a tracked FLAME frame, or a video of a view the cameras do not have, is an input error.
/// </summary>
public sealed partial class StageFileTrackedVideoSource : ITrackedVideoSource
{
    /// <summary>Input name of the tracking file.</summary>
    public static string TrackingInput => $"{PipelineStage.TrackFlame.Slug()}/tracking.json";

    /// <summary>Input name of a frame image.</summary>
    public static string FrameInput(int view, int clip, int frame) =>
        $"{PipelineStage.AnimateView.Slug()}/{PipelinePlan.AnimationKey(view, clip)}/frame-{frame.ToString("D4", CultureInfo.InvariantCulture)}.png";

    [GeneratedRegex(@"^animate-view/src-(\d+)-clip-(\d+)/frame-(\d+)\.png$", RegexOptions.CultureInvariant)]
    private static partial Regex FramePattern();

    /// <inheritdoc />
    public async Task<TrackedVideoSet> ReadAsync(StageJobContext context, IReadOnlyList<Camera> cameras)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(cameras);
        var frames = context.Request.Inputs.Keys
            .Select(name => (Name: name, Match: FramePattern().Match(name)))
            .Where(x => x.Match.Success)
            .Select(x => (x.Name, View: Int(x.Match, 1), Clip: Int(x.Match, 2), Frame: Int(x.Match, 3)))
            .ToList();
        bool hasTracking = context.Request.Inputs.ContainsKey(TrackingInput);
        if (!hasTracking)
        {
            if (frames.Count > 0)
                throw new StageInputException("input-missing", $"The request has {frames.Count} video frames but no {TrackingInput}.");
            return TrackedVideoSet.Empty;
        }

        var tracking = await context.ReadRequiredJsonAsync<TrackingDocument>(TrackingInput).ConfigureAwait(false);
        var clips = (tracking.Clips ?? []).Select(c => new TrackedClip(c.Clip, c.Fps ?? 25, (c.Frames ?? []).Select(f => f.ToFrame()).ToArray()))
            .OrderBy(c => c.Clip).ToArray();
        var byClip = clips.ToDictionary(c => c.Clip);
        var videos = new List<TrackedVideo>();
        foreach (var group in frames.GroupBy(f => (f.View, f.Clip)).OrderBy(g => g.Key.View).ThenBy(g => g.Key.Clip))
        {
            var (view, clip) = group.Key;
            if (view < 0 || view >= cameras.Count)
                throw new StageInputException("input-invalid", $"Video of source view {view}: views.json has {cameras.Count} cameras.");
            if (!byClip.TryGetValue(clip, out var tracked))
                throw new StageInputException("input-invalid", $"Video src-{view:D2}-clip-{clip:D2} has no tracked clip {clip} in {TrackingInput}.");
            var list = group.OrderBy(f => f.Frame).Select(f =>
            {
                if (f.Frame >= tracked.Frames.Count)
                    throw new StageInputException("input-invalid", $"{f.Name}: clip {clip} has {tracked.Frames.Count} tracked frames.");
                return new TrackedVideoFrame(f.Frame, f.Name);
            }).ToArray();
            videos.Add(new TrackedVideo(view, clip, cameras[view], list));
        }
        return new TrackedVideoSet(clips, videos, tracking.Backend);
    }

    private static int Int(Match m, int group) => int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture);
}

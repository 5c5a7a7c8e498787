using System.Diagnostics;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Animation.Tracking;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Animation.Tests;

/// <summary>
/// Tracking on synthetic videos with ground truth: the procedural head (a FLAME-format model) with a random identity and
/// a patterned texture, animated by a bundled clip, rendered from three orbit views (0 and +-40 degrees, 96 px). The
/// frontal view gets landmarks as a detector would give them (the ground-truth projections plus 0.5 px noise); the
/// side views get none (photometric term only), as when detection fails.
/// </summary>
public sealed class TrackingAccuracyTests(ITestOutputHelper output)
{
    private const int Size = 96, Frames = 8;
    private static readonly double[] Yaws = [0, -40, 40];
    private static readonly TrackingSchedule Schedule = new(FirstFrameIterations: 60, PerFrameIterations: 15, GlobalEpochs: 2, Seed: 7);

    [Fact]
    public void Multi_view_tracking_recovers_the_per_frame_flame_parameters_of_synthetic_videos()
    {
        torch.set_num_threads(1);
        using var subject = new SyntheticHead();
        var truth = SyntheticVideos.GroundTruth(subject, "surprise", Frames);
        var videos = Yaws.Select((yaw, k) => WithNoisyLandmarks(SyntheticVideos.Render(subject, truth, subject.CameraAt(yaw, Size), 0, k, withLandmarks: yaw == 0), 0.5, k)).ToArray();
        var clock = Stopwatch.StartNew();
        var result = new FlameTracker(subject.Head, new FlameTrackingOptions()).Track(videos, Schedule);
        double seconds = clock.Elapsed.TotalSeconds;

        var vertexErrors = new List<double>();
        double jawError = 0, neckError = 0, eyeError = 0, translation = 0, expressionRms = 0, expressionRange = 0;
        for (int t = 0; t < Frames; t++)
        {
            var tracked = result.Frames[t].Parameters;
            vertexErrors.Add(SyntheticVideos.MeanVertexError(subject, truth[t], tracked));
            jawError = Math.Max(jawError, MaxAbs(tracked.Jaw, truth[t].Jaw));
            neckError = Math.Max(neckError, MaxAbs(tracked.Neck, truth[t].Neck));
            eyeError = Math.Max(eyeError, MaxAbs(tracked.Eyes, truth[t].Eyes));
            translation = Math.Max(translation, tracked.Translation.Max(Math.Abs));
            expressionRms += Rms(tracked.Expression, truth[t].Expression) / Frames;
            expressionRange = Math.Max(expressionRange, Rms(truth[t].Expression, new float[truth[t].Expression.Length]));
        }
        double landmarkPx = result.Frames.Where(f => !double.IsNaN(f.LandmarkErrorPixels)).Average(f => f.LandmarkErrorPixels);
        double meanVertex = vertexErrors.Average();
        output.WriteLine($"{Frames} frames x {Yaws.Length} views at {Size} px, schedule {Schedule}: {seconds:F1} s ({result.Metrics["seconds_per_frame_sequential"]:F2} s per following frame)");
        output.WriteLine($"mean vertex error {meanVertex * 1000:F2} mm = {meanVertex / subject.HeadSize * 100:F2} % of the head size ({subject.HeadSize * 1000:F0} mm); worst frame {vertexErrors.Max() * 1000:F2} mm");
        output.WriteLine($"max |jaw error| {jawError:F4} rad ({jawError * 180 / Math.PI:F2} deg), max |neck error| {neckError:F4} rad, max |eye error| {eyeError:F4} rad, max |translation| {translation * 1000:F2} mm");
        output.WriteLine($"expression rms error {expressionRms:F3} (ground truth rms up to {expressionRange:F3}); landmark reprojection error {landmarkPx:F2} px (noise 0.5 px)");
        output.WriteLine($"identity change {Rms(result.Shape, subject.Shape):F3} rms; photometric {result.Metrics["photometric_mean"]:F4}");

        Assert.True(meanVertex / subject.HeadSize < 0.01, $"mean vertex error {meanVertex / subject.HeadSize:P2} of the head size");
        // Per-parameter errors are looser than the vertex error: the built-in head's lower-lip expression components can
        // stand in for a little jaw rotation (the surface barely differs), so the jaw angle is less identifiable.
        Assert.True(jawError < 0.08, $"jaw error {jawError:F3} rad");
        Assert.True(neckError < 0.03, $"neck error {neckError:F3} rad");
        Assert.True(translation < 0.004, $"translation {translation * 1000:F1} mm");
        Assert.True(landmarkPx < 1.0, $"landmark reprojection {landmarkPx:F2} px");
        // Tracking beats doing nothing by far: the neutral frame would be off by the clip's motion.
        double idle = Enumerable.Range(0, Frames).Average(t => SyntheticVideos.MeanVertexError(subject, truth[t], subject.Head.Neutral));
        output.WriteLine($"(neutral for every frame would be off by {idle * 1000:F2} mm)");
        Assert.True(meanVertex < 0.5 * idle);
    }

    [Fact]
    public void The_same_clip_tracked_separately_in_every_view_gives_the_same_expression_frame_by_frame()
    {
        torch.set_num_threads(1);
        using var subject = new SyntheticHead();
        var truth = SyntheticVideos.GroundTruth(subject, "talk", Frames);
        var perView = new List<IReadOnlyList<TrackedFrame>>();
        foreach (var (yaw, k) in Yaws.Select((y, k) => (y, k)))
        {
            var video = WithNoisyLandmarks(SyntheticVideos.Render(subject, truth, subject.CameraAt(yaw, Size), 0, k, withLandmarks: yaw == 0), 0.5, k);
            perView.Add(new FlameTracker(subject.Head, new FlameTrackingOptions { RefineIdentity = false }).Track([video], Schedule).Frames);
        }
        // Compare the facial expression (expression and jaw; head pose, gaze and translation set aside) on the face.
        static FlameFrame ExpressionOnly(FlameFrame f) => new(f.Expression, f.Jaw, new float[3], new float[6], new float[3]);
        var face = subject.Model.VertexMasks["face"].data<long>().Select(v => (int)v).ToArray();
        var neutral = subject.Head.Meshes([ExpressionOnly(truth[0])])[0];
        double spreadMm = 0, worstSpreadMm = 0, motionMm = 0, coefficientSpread = 0;
        for (int t = 0; t < Frames; t++)
        {
            var frames = perView.Select(v => v[t].Parameters).ToArray();
            var meshes = subject.Head.Meshes(frames.Select(ExpressionOnly).ToArray());
            var gt = subject.Head.Meshes([ExpressionOnly(truth[t])])[0];
            double frameSpread = 0, frameMotion = 0;
            foreach (var v in face)
            {
                var mean = meshes.Select(m => m.Position(v)).Aggregate(System.Numerics.Vector3.Zero, (a, b) => a + b) / meshes.Count;
                frameSpread += meshes.Max(m => System.Numerics.Vector3.Distance(m.Position(v), mean)) / face.Length;
                frameMotion += System.Numerics.Vector3.Distance(gt.Position(v), neutral.Position(v)) / face.Length;
            }
            spreadMm += frameSpread * 1000 / Frames;
            worstSpreadMm = Math.Max(worstSpreadMm, frameSpread * 1000);
            motionMm = Math.Max(motionMm, frameMotion * 1000);
            coefficientSpread += Enumerable.Range(0, frames[0].Expression.Length).Average(i => frames.Max(f => f.Expression[i]) - frames.Min(f => f.Expression[i])) / Frames;
            output.WriteLine($"frame {t}: jaw per view " + string.Join(" / ", frames.Select(f => f.Jaw[0].ToString("F3"))) + $" (truth {truth[t].Jaw[0]:F3}); " +
                             $"face spread across views {frameSpread * 1000:F2} mm, true expression motion {frameMotion * 1000:F2} mm");
        }
        output.WriteLine($"{Yaws.Length} views tracked separately: mean face spread {spreadMm:F2} mm (worst frame {worstSpreadMm:F2} mm); " +
                         $"largest true expression motion {motionMm:F2} mm (mean over the face); mean coefficient range across views {coefficientSpread:F3}");
        Assert.True(spreadMm < 0.35 * motionMm, $"views disagree by {spreadMm:F2} mm on an expression motion of {motionMm:F2} mm");
    }

    private static TrackingVideo WithNoisyLandmarks(TrackingVideo video, double sigma, int seed)
    {
        var random = new Random(seed + 100);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return video with
        {
            Frames = video.Frames.Select(f => f with { Landmarks = f.Landmarks?.Select(v => (float)(v + sigma * Gaussian())).ToArray() }).ToArray(),
        };
    }

    private static double MaxAbs(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private static double Rms(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average());
}

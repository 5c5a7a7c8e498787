using FaceCraft4D.Animation.Clips;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Animation.Tracking;
using FaceCraft4D.Graphics.Cameras;
using TorchSharp;

namespace FaceCraft4D.Animation.Tests;

/// <summary>Videos of a <see cref="SyntheticHead"/> rendered with known per-frame FLAME parameters.</summary>
public static class SyntheticVideos
{
    /// <summary>The ground-truth frames of a bundled clip on the synthetic head.</summary>
    public static IReadOnlyList<FlameFrame> GroundTruth(SyntheticHead subject, string clipName, int frames)
    {
        var clip = BundledClipAuthoring.Create().Single(c => c.Clip.Name == clipName).Clip;
        return subject.Head.Rig.Animate(clip, frames, subject.Head.Neutral);
    }

    /// <summary>Renders every frame from a camera, with the ground-truth landmarks (projected) when asked.</summary>
    public static TrackingVideo Render(SyntheticHead subject, IReadOnlyList<FlameFrame> truth, Camera camera, int clip, int view, bool withLandmarks)
    {
        var meshes = subject.Head.Meshes(truth);
        var landmarks = withLandmarks ? ProjectedLandmarks(subject, truth, camera) : null;
        var frames = new List<TrackingFrame>();
        for (int i = 0; i < truth.Count; i++)
        {
            var rendered = TexturedHeadRenderer.Render(meshes[i], subject.Appearance, camera);
            frames.Add(TrackingFrame.From(rendered.Image, rendered.Mask, landmarks?[i]));
        }
        return new TrackingVideo(clip, view, camera, subject.Appearance, frames);
    }

    /// <summary>The model's 68 landmarks of a frame projected by a camera (x/y interleaved, pixel centres at +0.5).</summary>
    public static float[] ProjectedLandmarks(SyntheticHead subject, FlameFrame frame, Camera camera) => ProjectedLandmarks(subject, [frame], camera)[0];

    /// <summary>The landmarks of every frame (one FLAME evaluation for all), projected by a camera.</summary>
    public static float[][] ProjectedLandmarks(SyntheticHead subject, IReadOnlyList<FlameFrame> frames, Camera camera)
    {
        float[] l;
        using (var scope = torch.NewDisposeScope())
        using (var noGrad = torch.no_grad())
        {
            var (_, landmarks) = subject.Head.Posed.Forward(subject.Head.Posed.Parameters(subject.Shape, frames), subject.Head.Offsets);
            l = landmarks.contiguous().data<float>().ToArray();
        }
        return Enumerable.Range(0, frames.Count).Select(t =>
        {
            var result = new float[136];
            for (int i = 0; i < 68; i++)
            {
                int o = (t * 68 + i) * 3;
                var (u, v, _) = camera.Project(new Vector3d(l[o], l[o + 1], l[o + 2]));
                result[2 * i] = (float)u;
                result[2 * i + 1] = (float)v;
            }
            return result;
        }).ToArray();
    }

    /// <summary>Mean distance between the head-surface vertices of two frames (metres).</summary>
    public static double MeanVertexError(SyntheticHead subject, FlameFrame a, FlameFrame b)
    {
        var meshes = subject.Head.Meshes([a, b]);
        int v0 = subject.Head.BaseVertexCount;
        double sum = 0;
        for (int v = 0; v < v0; v++) sum += System.Numerics.Vector3.Distance(meshes[0].Position(v), meshes[1].Position(v));
        return sum / v0;
    }
}

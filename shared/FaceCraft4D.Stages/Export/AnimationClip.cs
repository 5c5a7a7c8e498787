using FaceCraft4D.Stages.Training;

namespace FaceCraft4D.Stages.Export;

/// <summary>A named sequence of FLAME frames to export for the viewer.</summary>
/// <param name="Name">File stem, e.g. <c>clip-00</c> or <c>demo</c>.</param>
/// <param name="Fps">Frames per second.</param>
/// <param name="Source"><c>track-flame</c> (tracked from the generated videos) or <c>demo</c> (synthetic sweep).</param>
/// <param name="Frames">The frames.</param>
public sealed record AnimationClip(string Name, double Fps, string Source, IReadOnlyList<FlameFrame> Frames)
{
    /// <summary>
    /// The demo clip for runs without tracked clips: over <paramref name="frames"/> frames at 25 fps, the jaw opens and closes
    /// twice (up to 0.3 rad), the first three expression components swing by up to 1.5 (standardised units) out of phase,
    /// and the neck turns the head by up to 0.25 rad left and right.
    /// </summary>
    public static AnimationClip Demo(int frames, int expressionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 2);
        var list = new List<FlameFrame>(frames);
        for (int f = 0; f < frames; f++)
        {
            double t = f / (double)frames;
            var expression = new float[Math.Min(3, expressionCount)];
            for (int e = 0; e < expression.Length; e++) expression[e] = (float)(1.5 * Math.Sin(2 * Math.PI * (t + e / 3.0)));
            float jaw = (float)(0.3 * Math.Pow(Math.Sin(2 * Math.PI * t), 2));
            float yaw = (float)(0.25 * Math.Sin(2 * Math.PI * t));
            list.Add(new FlameFrame(expression, [jaw, 0, 0], [0, yaw, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0], [0, 0, 0]));
        }
        return new AnimationClip("demo", 25, "demo", list);
    }
}

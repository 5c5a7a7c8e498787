namespace FaceCraft4D.Animation.Clips;

/// <summary>
/// A short expression sequence that drives every source view of a run frame by frame (paper 3.3: the same driving
/// signal for every view keeps the expressions synchronised). File format: <see cref="ClipFile"/>.
/// </summary>
/// <param name="Name">Short name (file name without extension for the bundled clips, e.g. <c>smile</c>).</param>
/// <param name="Description">What happens in the clip.</param>
/// <param name="Fps">Frames per second of <paramref name="Frames"/>.</param>
/// <param name="Frames">The frames, relative to the neutral face.</param>
/// <param name="ExpressionBasis">The model whose expression basis the frames' <see cref="ClipFrame.Expression"/> arrays
/// refer to (e.g. <c>flame2023</c>); null when the clip uses semantic controls only.</param>
public sealed record DrivingClip(string Name, string Description, double Fps, IReadOnlyList<ClipFrame> Frames, string? ExpressionBasis = null)
{
    /// <summary>Number of frames.</summary>
    public int FrameCount => Frames.Count;

    /// <summary>Length in seconds (first to last frame).</summary>
    public double DurationSeconds => Frames.Count > 1 ? (Frames.Count - 1) / Fps : 0;

    /// <summary>True when some frame carries explicit expression coefficients.</summary>
    public bool HasExpressionCoefficients => Frames.Any(f => f.Expression is { Length: > 0 });

    /// <summary>
    /// The clip resampled to <paramref name="frameCount"/> frames spread uniformly over its duration (first and last
    /// frame kept), every channel linearly interpolated in time. The fps becomes the one that keeps the duration.
    /// </summary>
    public DrivingClip Resampled(int frameCount)
    {
        if (frameCount < 1) throw new ArgumentOutOfRangeException(nameof(frameCount));
        if (frameCount == FrameCount) return this;
        var frames = new ClipFrame[frameCount];
        for (int i = 0; i < frameCount; i++)
        {
            double position = frameCount == 1 ? 0 : (double)i * (FrameCount - 1) / (frameCount - 1);
            int a = Math.Min((int)Math.Floor(position), FrameCount - 1), b = Math.Min(a + 1, FrameCount - 1);
            frames[i] = ClipFrame.Lerp(Frames[a], Frames[b], (float)(position - a));
        }
        double fps = frameCount > 1 && DurationSeconds > 0 ? (frameCount - 1) / DurationSeconds : Fps;
        return this with { Frames = frames, Fps = fps };
    }
}

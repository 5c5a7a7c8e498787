using FaceCraft4D.Animation.Performance;
using FaceCraft4D.Animation.Rig;

namespace FaceCraft4D.Animation.Tests.Performance;

/// <summary>The fan-in's parts on hand-made frames (no networks): chunk weights, the track file, the smoother, rotations, the transfer rule.</summary>
public sealed class PerformancePartsTests
{
    private static PerformanceFrame Frame(int t, float jaw, float e0 = 0, bool tracked = true, float yaw = 0) =>
        new(t, tracked, [e0, 0], [jaw, 0, 0], new float[6], [0, yaw, 0], [0, 0, 0.6f], tracked ? 0.01 : double.NaN, tracked ? 1 : 0, double.NaN);

    [Fact]
    public void Chunk_weights_cover_every_frame_once_and_ramp_across_borders()
    {
        var chunks = ChunkRange.Plan(23, 8, 3);
        Assert.Equal([0, 8, 16], chunks.Select(c => c.First));
        Assert.Equal(7, chunks[2].Count);
        Assert.Equal((5, 19), (chunks[1].TrackFirst, chunks[1].TrackEnd));
        for (int t = 0; t < 23; t++) Assert.Equal(1.0, chunks.Sum(c => c.Weight(t)), 12);
        Assert.True(chunks[0].Weight(6) > chunks[1].Weight(6));
        Assert.True(chunks[0].Weight(9) < chunks[1].Weight(9));
        Assert.Equal(1.0, chunks[1].Weight(12));
    }

    [Fact]
    public async Task Track_file_round_trips_frames_and_observations()
    {
        var range = new ChunkRange(4, 3, 2, 10);
        var frames = Enumerable.Range(range.TrackFirst, range.TrackCount).Select(t => Frame(t, 0.01f * t, tracked: t != 5)).ToArray();
        var lm = Enumerable.Range(0, 136).Select(i => (float)i).ToArray();
        var observations = frames.Select(f => new FaceObservation(f.Frame, f.Tracked ? 2 : 0, f.Tracked ? lm : null, null, 64, 48)).ToArray();
        using var stream = new MemoryStream(PerformanceTrackFile.Build(new PerformanceChunk(range, frames, observations, "face-api-68")).ToArray());
        var read = await PerformanceTrackFile.ReadAsync(stream, CancellationToken.None);
        Assert.Equal(range, read.Range);
        Assert.Equal("face-api-68", read.LandmarkBackend);
        Assert.Equal(frames.Select(f => f.Jaw[0]), read.Frames.Select(f => f.Jaw[0]));
        Assert.Equal(frames.Select(f => f.Tracked), read.Frames.Select(f => f.Tracked));
        Assert.False(read.Observations[3].HasFace);   // frame 5
        Assert.Equal(lm, read.Observations[0].Landmarks68);
        Assert.Equal(range.TrackCount - 1, read.SeveralFacesFrames);
        using var wrong = new MemoryStream(new FaceCraft4D.Weights.InMemorySafeTensors().ToArray());
        await Assert.ThrowsAsync<InvalidDataException>(() => PerformanceTrackFile.ReadAsync(wrong, CancellationToken.None));
    }

    [Fact]
    public void Merge_blends_disagreeing_chunks_without_a_step()
    {
        var ranges = ChunkRange.Plan(16, 8, 3);
        // Chunk 0 says jaw 0.1, chunk 1 says jaw 0.2 everywhere: the merged track ramps between them across the border.
        var chunks = ranges.Select((r, c) => new PerformanceChunk(r,
            Enumerable.Range(r.TrackFirst, r.TrackCount).Select(t => Frame(t, 0.1f * (c + 1))).ToArray(),
            Enumerable.Range(r.TrackFirst, r.TrackCount).Select(t => new FaceObservation(t, 1, new float[136], null, 8, 8)).ToArray(), "x")).ToArray();
        var (merged, _) = PerformanceFanIn.Merge(chunks);
        var jaw = merged.Select(f => f.Jaw[0]).ToArray();
        Assert.Equal(0.1f, jaw[0], 5);
        Assert.Equal(0.2f, jaw[15], 5);
        double largestStep = Enumerable.Range(1, 15).Max(t => Math.Abs(jaw[t] - jaw[t - 1]));
        Assert.True(largestStep <= 0.1 / 6 + 1e-5, $"largest step {largestStep}");
    }

    [Fact]
    public void Smoother_fills_gaps_linearly_and_keeps_a_constant()
    {
        var frames = new[] { Frame(0, 0.1f), Frame(1, 0, tracked: false), Frame(2, 0, tracked: false), Frame(3, 0.4f) };
        var filled = TemporalSmoother.FillGaps(frames);
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], filled.Select(f => f.Jaw[0]).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.False(filled[1].Tracked);
        var constant = TemporalSmoother.Gaussian(Enumerable.Repeat(2.5, 9).ToArray(), 1.5);
        Assert.All(constant, v => Assert.Equal(2.5, v, 12));
        var step = TemporalSmoother.Gaussian([0, 0, 0, 0, 1, 1, 1, 1], 1);
        Assert.True(step[3] > 0 && step[4] < 1 && Math.Abs(step[3] + step[4] - 1) < 1e-12, "a step is smoothed symmetrically");
        Assert.Throws<InvalidOperationException>(() => TemporalSmoother.FillGaps([Frame(0, 0, tracked: false)]));
    }

    [Fact]
    public void Axis_angle_round_trips_and_composes()
    {
        float[] r = [0.2f, -0.5f, 0.3f];
        var back = AxisAngle.FromMatrix(AxisAngle.ToMatrix(r));
        for (int i = 0; i < 3; i++) Assert.Equal(r[i], back[i], 5);
        var m = AxisAngle.ToMatrix(r);
        var identity = AxisAngle.Multiply(m, AxisAngle.Transpose(m));
        for (int i = 0; i < 9; i++) Assert.Equal(i % 4 == 0 ? 1 : 0, identity[i], 9);
        // Two turns about the same axis add up.
        var twice = AxisAngle.FromMatrix(AxisAngle.Multiply(AxisAngle.ToMatrix([0, 0.3f, 0]), AxisAngle.ToMatrix([0, 0.2f, 0])));
        Assert.Equal(0.5f, twice[1], 5);
    }

    [Fact]
    public void Reference_rule_picks_the_closed_mouth_and_relative_transfer_removes_the_performers_resting_offset()
    {
        // A performer who rests with a smile (e0 = 0.8) and an over-closed jaw (-0.1): frame 2 is the most closed.
        var frames = new[] { Frame(0, -0.05f, 0.9f), Frame(1, 0.1f, 0.8f), Frame(2, -0.1f, 0.8f, yaw: 0.1f), Frame(3, 0.2f, 1.8f, yaw: 0.3f), Frame(4, 0.3f, 0.8f) };
        int reference = ExpressionTransfer.ReferenceFrame(frames, 25, 2);
        Assert.Equal(2, reference);
        var neutral = FlameFrame.Zero(3) with { Jaw = [0.05f, 0, 0] };
        var relative = ExpressionTransfer.Apply(frames, ExpressionTransferMode.Relative, reference, neutral, 3, 0.08);
        Assert.Equal(0f, relative[2].Expression[0], 6);
        Assert.Equal(1.0f, relative[3].Expression[0], 5);
        Assert.Equal(0.05f + 0.3f, relative[3].Jaw[0], 5);
        Assert.Equal(0.2f, relative[3].Neck[1], 5);
        Assert.Equal(0f, relative[2].Neck[1], 6);
        var absolute = ExpressionTransfer.Apply(frames, ExpressionTransferMode.Absolute, reference, neutral, 3, 0.08);
        Assert.Equal(0.8f, absolute[2].Expression[0], 6);
        Assert.Equal(0f, absolute[2].Jaw[0]);   // clamped: no over-closed jaw on the avatar
        Assert.Equal(0.3f, absolute[3].Neck[1], 5);
        Assert.Equal(3, absolute[0].Expression.Length);
    }
}

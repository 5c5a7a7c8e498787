using FaceCraft4D.Graphics.Training;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// Trainer settings of the two training stages: GaussianAvatars' values (<see cref="TrainingOptions.FlameAvatarDefaults"/>)
/// with their iteration-based schedule scaled by <c>s = iterations / 30 000</c> (the paper's static stage), so the paper
/// preset runs the published schedule and short runs keep its shape:
/// <list type="bullet">
/// <item>static: position learning rate decays over all iterations; SH degree +1 every <c>max(1, 1000 s)</c>; densify every
/// <c>max(25, 100 s)</c> from <c>max(50, 500 s)</c> to half the run; opacity reset every <c>3000 s</c> only for runs of 3000
/// iterations or more (in shorter runs a reset cannot recover); runs under 3000 iterations use faster colour (x4) and opacity
/// (x2) learning rates;</item>
/// <item>fine-tuning (TrainCoin): the model arrives trained, so the position rate restarts at a tenth of the static start,
/// densification runs from 10 % to 50 % of the run without opacity resets.</item>
/// </list>
/// </summary>
public static class TrainingSchedule
{
    /// <summary>The paper's static iterations, the unit of the schedule.</summary>
    public const int PaperStaticIterations = 30_000;

    /// <summary>Short runs (below this) use the faster colour/opacity rates and no opacity reset.</summary>
    public const int ShortRun = 3_000;

    /// <summary>Settings for TrainStatic.</summary>
    public static TrainingOptions Static(int iterations, int checkpointEvery, double dssimWeight, TrainingStageOptions stage, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(stage);
        double s = iterations / (double)PaperStaticIterations;
        var o = Common(iterations, checkpointEvery, dssimWeight, stage, seed);
        o.ShDegreeInterval = Math.Max(1, (int)Math.Round(1000 * s));
        var d = o.Densification;
        d.Interval = Math.Max(25, (int)Math.Round(100 * s));
        d.FromIteration = Math.Max(50, (int)Math.Round(500 * s));
        d.UntilIteration = Math.Max(d.FromIteration + 1, iterations / 2);
        d.OpacityResetInterval = iterations >= ShortRun ? (int)Math.Round(3000 * s) : 0;
        return o;
    }

    /// <summary>Settings for TrainCoin (fine-tuning a trained avatar).</summary>
    public static TrainingOptions FineTune(int iterations, int checkpointEvery, double dssimWeight, TrainingStageOptions stage, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var o = Common(iterations, checkpointEvery, dssimWeight, stage, seed);
        o.PositionLrInit *= 0.1;
        o.ShDegreeInterval = Math.Max(1, iterations);
        var d = o.Densification;
        d.Interval = Math.Max(25, (int)Math.Round(100.0 * iterations / PaperStaticIterations));
        d.FromIteration = Math.Max(1, iterations / 10);
        d.UntilIteration = Math.Max(d.FromIteration + 1, iterations / 2);
        d.OpacityResetInterval = 0;
        return o;
    }

    /// <summary>Most iterations between two training-state saves: a crash never loses more than this much work.</summary>
    public const int MaxCheckpointInterval = 5_000;

    /// <summary>Fewest iterations between two saves (a save per iteration would be all I/O).</summary>
    public const int MinCheckpointInterval = 10;

    /// <summary>
    /// The requested <c>CheckpointEvery</c> clamped to [<see cref="MinCheckpointInterval"/>, <see cref="MaxCheckpointInterval"/>]
    /// (and to the run's length), so neither a huge value (no save before the end) nor a tiny one (a save per step) is used.
    /// </summary>
    public static int CheckpointInterval(int iterations, int checkpointEvery) =>
        Math.Clamp(checkpointEvery, Math.Min(MinCheckpointInterval, Math.Max(1, iterations)), Math.Max(1, Math.Min(MaxCheckpointInterval, iterations)));

    private static TrainingOptions Common(int iterations, int checkpointEvery, double dssimWeight, TrainingStageOptions stage, ulong seed)
    {
        var o = TrainingOptions.FlameAvatarDefaults();
        o.Iterations = iterations;
        o.Seed = seed;
        o.PositionLrMaxSteps = Math.Max(1, iterations);
        o.LambdaDssim = dssimWeight;
        o.Background = [1.0, 1.0, 1.0];
        o.RandomBackground = false;
        o.CheckpointInterval = CheckpointInterval(iterations, checkpointEvery);
        o.ProgressInterval = stage.ProgressEvery;
        o.Densification.MaxGaussians = stage.MaxGaussians;
        if (iterations < ShortRun)
        {
            o.FeatureLr *= 4;
            o.FeatureRestLr *= 4;
            o.OpacityLr *= 2;
        }
        return o;
    }
}

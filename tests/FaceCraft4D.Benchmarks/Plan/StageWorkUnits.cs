using FaceCraft4D.Contracts;

namespace FaceCraft4D.Benchmarks.Plan;

/// <summary>
/// The work of one work item of a stage in abstract units, from the run's settings: what its cost grows with
/// (items x iterations x pixels as appropriate). Only ratios between two settings are used: an item measured under one
/// preset costs <c>measured x units(target) / units(measured)</c> under another.
/// </summary>
public static class StageWorkUnits
{
    /// <summary>Units of one item of <paramref name="stage"/> under <paramref name="s"/>.</summary>
    public static double PerItem(PipelineStage stage, PipelineSettings s)
    {
        double pixels = (double)s.RenderSize * s.RenderSize;
        double videoFrames = (double)s.ClipCount * s.FramesPerClip;
        return stage switch
        {
            // Detection, landmarks, matting on the aligned crop.
            PipelineStage.Preprocess => (double)s.CropSize * s.CropSize,
            // Template fit, then an orbit render + depth per view.
            PipelineStage.ShapePrior => s.ViewCount * pixels,
            // One view: warp/inpaint (or DDIM steps with the diffusion backend).
            PipelineStage.EnhanceBackView or PipelineStage.EnhanceView => pixels * DiffusionFactor(s),
            // One source view x clip: every frame rendered/animated.
            PipelineStage.AnimateView => s.FramesPerClip * pixels,
            // Photometric tracking over every source view: the first frame to convergence, then per frame, then global epochs.
            PipelineStage.TrackFlame => s.SourceViewCount * pixels *
                (s.TrackingFirstFrameIterations + videoFrames * (s.TrackingPerFrameIterations + s.TrackingGlobalEpochs)),
            // One render + backward per iteration.
            PipelineStage.TrainStatic => (double)s.StaticIterations * pixels,
            PipelineStage.TrainCoin => (double)s.CoinIterations * pixels,
            // Posed frames of every clip and the previews.
            PipelineStage.Export => (videoFrames + 36) * pixels,
            // Every protocol view rendered and scored.
            PipelineStage.Evaluate => s.ViewCount * pixels,
            _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
        };
    }

    /// <summary>The diffusion backend runs its DDIM steps (strength x steps); the warp backend does one pass.</summary>
    private static double DiffusionFactor(PipelineSettings s) =>
        string.Equals(s.ImagePriorBackend, "diffusion", StringComparison.OrdinalIgnoreCase) ? Math.Max(1, s.DiffusionSteps * s.DiffusionStrength) : 1;
}

namespace FaceCraft4D.Stages.Training;

/// <summary>Files the training stages write under <c>runs/{runId}/stages/{train-static|train-coin}/0/</c> (Stages README, stages 7-8).</summary>
public static class TrainingFiles
{
    /// <summary>The trained avatar (<c>FaceCraft4D.Coin.CoinAvatarFile</c>: Gaussians, binding, FLAME shape, COIN appearance).</summary>
    public const string AvatarState = "avatar-state.safetensors";

    /// <summary>The training report (JSON, <see cref="TrainingReportDocument"/>).</summary>
    public const string Report = "training.json";

    /// <summary>Rows of target | render with the view's offsets | consistent render for a few views (PNG).</summary>
    public const string Preview = "preview.png";

    /// <summary>The resumable training state (not an output: kept for resubmissions of the same job).</summary>
    public const string State = BlobTrainingStateStore.FileName;
}

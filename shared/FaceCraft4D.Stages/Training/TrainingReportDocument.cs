namespace FaceCraft4D.Stages.Training;

/// <summary>COIN settings that ran.</summary>
public sealed record CoinReport(bool Enabled, string? PerceptualLoss, double DssimWeight, double PerceptualWeight, double OffsetL1Weight,
    int EmbeddingDimension, int HiddenDimension, int PositionFrequencies, int ReferenceView);

/// <summary>Training data of the run.</summary>
public sealed record TrainingDataReport(int StaticViews, int Videos, int VideoFrames, int VideoFramesAvailable, string? VideoBackend);

/// <summary>Quality on the static training views after training (PSNR in dB).</summary>
public sealed record TrainingQualityReport(double PsnrConsistent, double? PsnrWithOffsets, double? PsnrReferenceEmbedding);

/// <summary><c>training.json</c>: what a training stage did.</summary>
public sealed record TrainingReportDocument(
    string Stage,
    string Backend,
    string Device,
    string HeadModel,
    int Iterations,
    int? ResumedFrom,
    string? IgnoredState,
    int CheckpointsWritten,
    double TrainingSeconds,
    long Gaussians,
    CoinReport Coin,
    TrainingDataReport Data,
    TrainingQualityReport Quality,
    IReadOnlyDictionary<string, double> LastFigures,
    IReadOnlyList<string> Notes);

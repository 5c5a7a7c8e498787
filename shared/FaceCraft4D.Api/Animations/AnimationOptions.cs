namespace FaceCraft4D.Api.Animations;

/// <summary>Configuration section <c>Fc4d:Animations</c>: video animation jobs (issue 15).</summary>
public sealed class AnimationOptions
{
    public const string SectionName = "Fc4d:Animations";

    /// <summary>Largest video accepted (bytes); a larger upload is refused with 413 while it streams in, nothing stored.</summary>
    public long MaxUploadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Clip frame rate when the request names none.</summary>
    public double DefaultFps { get; set; } = Contracts.VideoAnimationContract.DefaultFps;

    /// <summary>Lowest clip frame rate a request may ask for.</summary>
    public double MinFps { get; set; } = 5;

    /// <summary>Highest clip frame rate a request may ask for.</summary>
    public double MaxFps { get; set; } = 60;

    /// <summary>Frames per tracking work item.</summary>
    public int ChunkFrames { get; set; } = Contracts.VideoAnimationContract.DefaultChunkFrames;

    /// <summary>Frames a chunk also tracks past each border.</summary>
    public int ChunkOverlap { get; set; } = Contracts.VideoAnimationContract.DefaultChunkOverlap;

    /// <summary>Tracking work items of one job in flight at once.</summary>
    public int MaxParallelChunks { get; set; } = 4;

    /// <summary>How long the worker's video screen may take (probe + face check on sampled frames, upload included).</summary>
    public TimeSpan ScreenTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Folder for uploads while they are screened (null: the system temp folder). Files are deleted afterwards.</summary>
    public string? TempDirectory { get; set; }
}

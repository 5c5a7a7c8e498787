namespace FaceCraft4D.Contracts;

/// <summary>Named starting points for <see cref="PipelineSettings"/>.</summary>
public static class PipelinePresets
{
    public const string PreviewName = "preview";
    public const string PaperName = "paper";

    /// <summary>CPU-friendly: small renders, few views/clips/frames, a few hundred iterations.</summary>
    public static PipelineSettings Preview { get; } = new() { Preset = PreviewName };

    /// <summary>The paper's numbers: 24 views, 12 sources x 8 clips, 30K + 90K iterations, 512 px.</summary>
    public static PipelineSettings Paper { get; } = new()
    {
        Preset = PaperName,
        CropSize = 512,
        RenderSize = 512,
        ViewCount = 24,
        SourceViewCount = 12,
        ClipCount = 8,
        FramesPerClip = 48,
        StaticIterations = 30_000,
        CoinIterations = 90_000,
        CheckpointEvery = 1_000,
        TrackingFirstFrameIterations = 500,
        TrackingPerFrameIterations = 50,
        TrackingGlobalEpochs = 30,
        DiffusionSteps = 25,
        DiffusionStrength = 0.4,
    };

    /// <summary>Names of all presets.</summary>
    public static IReadOnlyList<string> Names { get; } = [PreviewName, PaperName];

    /// <summary>Returns the preset of that name (case-insensitive) or throws with the list of valid names.</summary>
    public static PipelineSettings Get(string name) => name.ToLowerInvariant() switch
    {
        PreviewName => Preview,
        PaperName => Paper,
        _ => throw new ArgumentException($"Unknown preset '{name}'. Valid presets: {string.Join(", ", Names)}.", nameof(name)),
    };
}

namespace FaceCraft4D.Metrics;

/// <summary>The metric names used in <c>metrics.json</c> and the evaluation report.</summary>
public static class MetricNames
{
    public const string Psnr = "psnr";
    public const string Ssim = "ssim";
    public const string MsSsim = "ms_ssim";
    public const string Lpips = "lpips";
    public const string IdSimilarity = "id_similarity";
    /// <summary>ID similarity by the second face-recognition model (@vladmandic/human faceres descriptor), beside <see cref="IdSimilarity"/>.</summary>
    public const string IdSimilarityFaceRes = "id_similarity_faceres";
    public const string ClipI = "clip_i";
    public const string Fid = "fid";

    /// <summary>All metrics in report order.</summary>
    public static IReadOnlyList<string> All { get; } = [Psnr, Ssim, MsSsim, Lpips, IdSimilarity, IdSimilarityFaceRes, ClipI, Fid];

    /// <summary>False for distances (LPIPS, FID), where lower is better.</summary>
    public static bool HigherIsBetter(string metric) => metric is not (Lpips or Fid);

    /// <summary>Unit or range shown next to values.</summary>
    public static string Unit(string metric) => metric switch
    {
        Psnr => "dB",
        Ssim or MsSsim => "0..1",
        Lpips => "distance",
        IdSimilarity or IdSimilarityFaceRes or ClipI => "cosine",
        Fid => "distance",
        _ => "",
    };
}

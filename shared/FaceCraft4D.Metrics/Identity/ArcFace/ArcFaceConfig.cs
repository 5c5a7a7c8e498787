namespace FaceCraft4D.Metrics.Identity.ArcFace;

/// <summary>
/// insightface <c>arcface_torch</c> IResNet shape: blocks per stage (r18 [2,2,2,2], r34 [3,4,6,3], r50 [3,4,14,3],
/// r100 [3,13,30,3], r200 [6,26,60,6]), stage widths (official [64, 128, 256, 512]; smaller for tests), embedding size
/// (512) and the 112 × 112 input (four stride-2 stages leave 7 × 7, hence <c>fc</c> in = width₄ · 49).
/// </summary>
public sealed record ArcFaceConfig(int[] Layers, int[] Widths, int EmbeddingSize = 512, int InputSize = 112)
{
    public static ArcFaceConfig R50 { get; } = new([3, 4, 14, 3], [64, 128, 256, 512]);

    public static ArcFaceConfig R100 { get; } = new([3, 13, 30, 3], [64, 128, 256, 512]);

    internal void Validate()
    {
        if (Layers.Length != 4 || Widths.Length != 4 || Layers.Any(l => l < 1) || Widths.Any(w => w < 1))
            throw new ArgumentException("IResNet needs four stages with at least one block and positive widths.");
    }
}

namespace FaceCraft4D.Metrics.Clip;

/// <summary>
/// What a CLIP image-encoder checkpoint's shapes do not tell: the head count (null: width / 64, as in every OpenAI
/// CLIP ViT), the MLP activation and the LayerNorm ε. From an HF <c>config.json</c>, or from the constructor arguments
/// of an OpenAI <c>VisionTransformer</c> (<c>heads</c>; OpenAI CLIP always uses QuickGELU and ε = 1e-5).
/// </summary>
public sealed record ClipVisionHints(int? Heads = null, string HiddenAct = "quick_gelu", double LayerNormEps = 1e-5)
{
    public static ClipVisionHints FromHuggingFaceConfig(ClipVisionConfig parsed) =>
        new(parsed.NumAttentionHeads, parsed.HiddenAct, parsed.LayerNormEps);
}

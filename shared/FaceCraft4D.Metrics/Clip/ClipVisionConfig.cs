using System.Text.Json;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>
/// Shape of a CLIP ViT image encoder (HF <c>CLIPVisionConfig</c> names): width, MLP width, depth, heads, input side,
/// patch side, projection (embedding) size, activation (<c>quick_gelu</c> for OpenAI CLIP, or <c>gelu</c>), LayerNorm ε.
/// </summary>
public sealed record ClipVisionConfig(
    int HiddenSize,
    int IntermediateSize,
    int NumHiddenLayers,
    int NumAttentionHeads,
    int ImageSize,
    int PatchSize,
    int ProjectionDim,
    string HiddenAct = "quick_gelu",
    double LayerNormEps = 1e-5)
{
    /// <summary>OpenAI CLIP ViT-B/32 (<c>openai/clip-vit-base-patch32</c>).</summary>
    public static ClipVisionConfig VitB32 { get; } = new(768, 3072, 12, 12, 224, 32, 512);

    /// <summary>OpenAI CLIP ViT-L/14 (<c>openai/clip-vit-large-patch14</c>).</summary>
    public static ClipVisionConfig VitL14 { get; } = new(1024, 4096, 24, 16, 224, 14, 768);

    /// <summary>Patches per side.</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Patch tokens + the class token.</summary>
    public int NumPositions => GridSize * GridSize + 1;

    internal void Validate()
    {
        if (HiddenSize % NumAttentionHeads != 0) throw new ArgumentException("CLIP hidden_size must be divisible by num_attention_heads.");
        if (ImageSize % PatchSize != 0) throw new ArgumentException("CLIP image_size must be a multiple of patch_size.");
        if (HiddenAct is not ("quick_gelu" or "gelu")) throw new NotSupportedException($"CLIP hidden_act '{HiddenAct}' is not supported (quick_gelu, gelu).");
    }

    /// <summary>
    /// Reads an HF <c>config.json</c>: a <c>CLIPConfig</c> (<c>vision_config</c> + <c>projection_dim</c>) or a
    /// <c>CLIPVisionConfig</c>. Missing keys take HF's defaults (those of ViT-B/32).
    /// </summary>
    public static ClipVisionConfig FromHuggingFaceJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var vision = root.TryGetProperty("vision_config", out var v) ? v : root;
        int Int(JsonElement e, string name, int fallback) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : fallback;
        var d = VitB32;
        int projection = Int(root, "projection_dim", Int(vision, "projection_dim", d.ProjectionDim));
        return new ClipVisionConfig(
            Int(vision, "hidden_size", d.HiddenSize),
            Int(vision, "intermediate_size", d.IntermediateSize),
            Int(vision, "num_hidden_layers", d.NumHiddenLayers),
            Int(vision, "num_attention_heads", d.NumAttentionHeads),
            Int(vision, "image_size", d.ImageSize),
            Int(vision, "patch_size", d.PatchSize),
            projection,
            vision.TryGetProperty("hidden_act", out var act) ? act.GetString() ?? d.HiddenAct : d.HiddenAct,
            vision.TryGetProperty("layer_norm_eps", out var eps) ? eps.GetDouble() : d.LayerNormEps);
    }
}

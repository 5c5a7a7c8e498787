using FaceCraft4D.Metrics.Models;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>
/// A loaded CLIP image encoder for CLIP-I (cosine similarity of image embeddings). Model folder
/// <c>models/clip/{version}/</c>: <c>model.safetensors</c> with HF <c>CLIPModel</c> names (text keys ignored), the
/// OpenAI <c>clip</c> state dict, or an OpenAI <c>VisionTransformer</c> state dict alone (both converted on load, see
/// <see cref="ClipCheckpointNaming"/>); optional
/// <c>config.json</c> (HF <c>CLIPConfig</c>) for the head count, activation and LayerNorm ε, otherwise they default to
/// width/64, quick_gelu and 1e-5 and everything else is read from the tensor shapes.
/// </summary>
public sealed class ClipImageEncoder : IDisposable
{
    public const string WeightsFile = "model.safetensors";
    public const string ConfigFile = "config.json";

    public ClipImageEncoder(ClipVisionModelWithProjection model, string name)
    {
        Model = model;
        Name = name;
        model.eval();
    }

    public ClipVisionModelWithProjection Model { get; }

    /// <summary>Recorded backend, e.g. <c>clip:vit-b-32 (ViT 12x768 patch 32, hf names)</c>.</summary>
    public string Name { get; }

    public static async Task<ClipImageEncoder> LoadAsync(string folder, string version, Device device, CancellationToken ct)
    {
        ModelFiles.Require(folder, WeightsFile);
        var hints = new ClipVisionHints();
        var configPath = Path.Combine(folder, ConfigFile);
        if (File.Exists(configPath))
            hints = ClipVisionHints.FromHuggingFaceConfig(
                ClipVisionConfig.FromHuggingFaceJson(await File.ReadAllTextAsync(configPath, ct).ConfigureAwait(false)));
        using var source = await SafeTensorsSource.OpenAsync(Path.Combine(folder, WeightsFile), ct).ConfigureAwait(false);
        return await LoadAsync(source, hints, version, device, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The image encoder of a checkpoint in any <see cref="ClipNaming"/> (HF <c>CLIPModel</c>, OpenAI <c>CLIP</c>, or a
    /// bare OpenAI <c>VisionTransformer</c>): config from the shapes and <paramref name="hints"/>, strict load.
    /// </summary>
    public static async Task<ClipImageEncoder> LoadAsync(SafeTensorsSource source, ClipVisionHints hints, string version, Device device, CancellationToken ct)
    {
        var naming = ClipCheckpointNaming.Detect(source);
        var config = ClipCheckpointNaming.InferConfig(source, naming, hints.Heads, hints.HiddenAct, hints.LayerNormEps);
        var model = new ClipVisionModelWithProjection(config);
        try
        {
            await LoadWeightsAsync(model, source, naming, ct).ConfigureAwait(false);
            model.to(device);
            var label = naming == ClipNaming.HuggingFace ? "hf names" : "openai names";
            return new ClipImageEncoder(model, $"clip:{version} (ViT {config.NumHiddenLayers}x{config.HiddenSize} patch {config.PatchSize}, {label})");
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Strict load from either naming; non-image-encoder keys are ignored.</summary>
    public static async Task LoadWeightsAsync(ClipVisionModelWithProjection model, SafeTensorsSource source, ClipNaming naming, CancellationToken ct)
    {
        if (naming == ClipNaming.HuggingFace)
        {
            await StateDictLoader.LoadAsync(model, source, "clip image encoder (HF naming)",
                new WeightLoadOptions { IgnoreKey = k => !ClipCheckpointNaming.IsImageEncoderKey(k, ClipNaming.HuggingFace) }, ct).ConfigureAwait(false);
            return;
        }
        var converted = await ClipCheckpointNaming.ReadOpenAiAsHuggingFaceAsync(source, model.Config, ct, naming).ConfigureAwait(false);
        try
        {
            StateDictLoader.Load(model, converted, "clip image encoder (OpenAI naming)", sources: source.Paths);
        }
        finally
        {
            foreach (var t in converted.Values) t.Dispose();
        }
    }

    /// <param name="images">[N, 3, H, W] in [0, 1], any size (resized and centre-cropped)</param>
    /// <returns>image embeddings [N, P]. Caller disposes.</returns>
    public Tensor Embed(Tensor images)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var pixels = ClipImagePreprocessor.Prepare(images, Model.Config.ImageSize);
        return Model.forward(pixels).MoveToOuterDisposeScope();
    }

    public void Dispose() => Model.Dispose();
}

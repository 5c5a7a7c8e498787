using FaceCraft4D.Weights;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Precomputed text conditioning stored with the weights (no text encoder is ported): <c>prompt_embeds.safetensors</c>
/// with <c>prompt_embeds</c> [1, 77, D] (required), <c>negative_prompt_embeds</c> [1, 77, D] (needed for guidance &gt; 1),
/// and for SDXL <c>pooled_prompt_embeds</c> [1, 1280], <c>negative_pooled_prompt_embeds</c> [1, 1280],
/// <c>add_time_ids</c> [1, 6]. Any other key is rejected so that a misnamed tensor is not silently ignored.
/// </summary>
public sealed class PromptConditioning : IDisposable
{
    public const string FileName = "prompt_embeds.safetensors";
    public static readonly string[] KnownKeys =
        ["prompt_embeds", "negative_prompt_embeds", "pooled_prompt_embeds", "negative_pooled_prompt_embeds", "add_time_ids"];

    public PromptConditioning(Tensor promptEmbeds, Tensor? negativePromptEmbeds = null, Tensor? pooledPromptEmbeds = null,
        Tensor? negativePooledPromptEmbeds = null, Tensor? addTimeIds = null)
    {
        if (promptEmbeds.dim() != 3 || promptEmbeds.shape[0] != 1)
            throw new ArgumentException($"prompt_embeds must be [1, tokens, D]; got {ShapeFormat.Format(promptEmbeds.shape)}.");
        if (negativePromptEmbeds is not null && !negativePromptEmbeds.shape.SequenceEqual(promptEmbeds.shape))
            throw new ArgumentException($"negative_prompt_embeds {ShapeFormat.Format(negativePromptEmbeds.shape)} differs from prompt_embeds {ShapeFormat.Format(promptEmbeds.shape)}.");
        PromptEmbeds = promptEmbeds;
        NegativePromptEmbeds = negativePromptEmbeds;
        PooledPromptEmbeds = pooledPromptEmbeds;
        NegativePooledPromptEmbeds = negativePooledPromptEmbeds;
        AddTimeIds = addTimeIds;
    }

    /// <summary>[1, 77, D]</summary>
    public Tensor PromptEmbeds { get; }
    /// <summary>[1, 77, D] or null.</summary>
    public Tensor? NegativePromptEmbeds { get; }
    /// <summary>[1, 1280] (SDXL) or null.</summary>
    public Tensor? PooledPromptEmbeds { get; }
    /// <summary>[1, 1280] (SDXL) or null.</summary>
    public Tensor? NegativePooledPromptEmbeds { get; }
    /// <summary>[1, 6] (SDXL) or null.</summary>
    public Tensor? AddTimeIds { get; }

    /// <summary>Width D of the text embeddings.</summary>
    public long EmbeddingDim => PromptEmbeds.shape[2];

    public static async Task<PromptConditioning> LoadAsync(string path, Device device, ScalarType dtype, CancellationToken cancellationToken = default)
    {
        using var file = await SafeTensorsFile.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        var unknown = file.Entries.Keys.Where(k => !KnownKeys.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new WeightLoadException("prompt conditioning", [], unknown, [], [path]);
        if (!file.Entries.ContainsKey("prompt_embeds"))
            throw new WeightLoadException("prompt conditioning", ["prompt_embeds"], [], [], [path]);
        async Task<Tensor?> Read(string key) => file.Entries.ContainsKey(key)
            ? await file.ReadTensorAsync(key, device, key == "add_time_ids" ? ScalarType.Float32 : dtype, cancellationToken).ConfigureAwait(false)
            : null;
        return new PromptConditioning((await Read("prompt_embeds"))!, await Read("negative_prompt_embeds"), await Read("pooled_prompt_embeds"),
            await Read("negative_pooled_prompt_embeds"), await Read("add_time_ids"));
    }

    public void Dispose()
    {
        PromptEmbeds.Dispose();
        NegativePromptEmbeds?.Dispose();
        PooledPromptEmbeds?.Dispose();
        NegativePooledPromptEmbeds?.Dispose();
        AddTimeIds?.Dispose();
    }
}

using System.Text.RegularExpressions;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>The two official CLIP checkpoint namings this port reads.</summary>
public enum ClipNaming
{
    /// <summary>Hugging Face <c>CLIPModel</c> / <c>CLIPVisionModelWithProjection</c>: <c>vision_model.*</c>, <c>visual_projection.weight</c>.</summary>
    HuggingFace,

    /// <summary>OpenAI <c>clip</c> package state dict: <c>visual.conv1.weight</c>, <c>visual.transformer.resblocks.{i}.attn.in_proj_weight</c>, <c>visual.proj</c>, ...</summary>
    OpenAi,

    /// <summary>
    /// OpenAI <c>clip.model.VisionTransformer</c> on its own (<c>model.visual.state_dict()</c>): the <see cref="OpenAi"/>
    /// image-encoder names without <c>visual.</c> — <c>conv1.weight</c>, <c>class_embedding</c>,
    /// <c>transformer.resblocks.{i}.attn.in_proj_weight</c>, <c>ln_post.weight</c>, <c>proj</c>. Every key is an image-encoder key.
    /// </summary>
    OpenAiVisual,
}

/// <summary>
/// Recognises the naming of a CLIP checkpoint, infers the vision config from tensor shapes, and converts OpenAI names to
/// HF names: <c>visual.class_embedding</c> → <c>vision_model.embeddings.class_embedding</c>; <c>visual.conv1</c> →
/// <c>…patch_embedding</c>; <c>visual.positional_embedding</c> → <c>…position_embedding.weight</c>; <c>ln_pre</c> →
/// <c>pre_layrnorm</c>; <c>resblocks.{i}.attn.in_proj_weight|bias</c> split in thirds → <c>q_proj</c>, <c>k_proj</c>,
/// <c>v_proj</c>; <c>attn.out_proj</c> → <c>self_attn.out_proj</c>; <c>ln_1</c>/<c>ln_2</c> → <c>layer_norm1</c>/<c>2</c>;
/// <c>mlp.c_fc</c>/<c>c_proj</c> → <c>mlp.fc1</c>/<c>fc2</c>; <c>ln_post</c> → <c>post_layernorm</c>;
/// <c>visual.proj</c> [D, P] → <c>visual_projection.weight</c> = projᵀ. Text-tower keys are not image-encoder keys and
/// are ignored. A bare <c>VisionTransformer</c> state dict (<see cref="ClipNaming.OpenAiVisual"/>) has the same names
/// without <c>visual.</c>.
/// </summary>
public static partial class ClipCheckpointNaming
{
    private const string HfPatch = "vision_model.embeddings.patch_embedding.weight";
    private const string OaPatch = "conv1.weight";

    public static ClipNaming Detect(SafeTensorsSource source) =>
        source.Contains(HfPatch) ? ClipNaming.HuggingFace
        : source.Contains("visual." + OaPatch) ? ClipNaming.OpenAi
        : source.Contains(OaPatch) ? ClipNaming.OpenAiVisual
        : throw new InvalidDataException($"{string.Join(", ", source.Paths)}: not a CLIP checkpoint ({HfPatch}, visual.{OaPatch} or {OaPatch} expected).");

    /// <summary>Keys of the image encoder under <paramref name="naming"/> (the rest is the text tower, logit scale, ...).</summary>
    public static bool IsImageEncoderKey(string key, ClipNaming naming) => naming switch
    {
        ClipNaming.HuggingFace => (key.StartsWith("vision_model.", StringComparison.Ordinal) && key != "vision_model.embeddings.position_ids")
                                  || key == "visual_projection.weight",
        ClipNaming.OpenAi => key.StartsWith("visual.", StringComparison.Ordinal),
        _ => true,
    };

    /// <summary>What the OpenAI image-encoder names start with: <c>visual.</c> in a whole CLIP state dict, nothing in a bare one.</summary>
    private static string OpenAiPrefix(ClipNaming naming) => naming == ClipNaming.OpenAi ? "visual." : "";

    /// <summary>Depth of an OpenAI image encoder: 1 + the largest i of <c>{prefix}transformer.resblocks.{i}.*</c>.</summary>
    private static int OpenAiLayers(IEnumerable<string> keys, string prefix) =>
        keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => OaLayer().Match(k[prefix.Length..])).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(-1).Max() + 1;

    /// <summary>
    /// Vision config from the shapes (width, patch, grid, depth, projection, MLP width). Heads: from
    /// <paramref name="headsHint"/> (config.json) or width / 64 (all OpenAI CLIP ViTs use 64-wide heads).
    /// </summary>
    public static ClipVisionConfig InferConfig(SafeTensorsSource source, ClipNaming naming, int? headsHint = null, string hiddenAct = "quick_gelu", double layerNormEps = 1e-5)
    {
        long[] S(string k) => source.Entry(k).Shape;
        var keys = source.Entries.Keys;
        long[] patch, pos, proj, fc1;
        int layers;
        if (naming == ClipNaming.HuggingFace)
        {
            patch = S(HfPatch);
            pos = S("vision_model.embeddings.position_embedding.weight");
            proj = S("visual_projection.weight").Reverse().ToArray();
            fc1 = S("vision_model.encoder.layers.0.mlp.fc1.weight");
            layers = keys.Select(k => HfLayer().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(-1).Max() + 1;
        }
        else
        {
            var p = OpenAiPrefix(naming);
            patch = S(p + OaPatch);
            pos = S(p + "positional_embedding");
            proj = S(p + "proj");
            fc1 = S(p + "transformer.resblocks.0.mlp.c_fc.weight");
            layers = OpenAiLayers(keys, p);
        }
        int width = (int)patch[0], patchSize = (int)patch[3];
        int grid = (int)Math.Round(Math.Sqrt(pos[0] - 1));
        if (grid * grid + 1 != pos[0]) throw new InvalidDataException($"CLIP position embedding of {pos[0]} rows is not grid² + 1.");
        if (headsHint is null && width % 64 != 0)
            throw new InvalidDataException($"CLIP width {width} is not a multiple of 64: the head count cannot be inferred; supply config.json (vision_config.num_attention_heads).");
        return new ClipVisionConfig(width, (int)fc1[0], layers, headsHint ?? width / 64, grid * patchSize, patchSize, (int)proj[1], hiddenAct, layerNormEps);
    }

    /// <summary>
    /// Reads the OpenAI image-encoder tensors (<see cref="ClipNaming.OpenAi"/> or <see cref="ClipNaming.OpenAiVisual"/>)
    /// and returns them under HF names (caller disposes the tensors). An image-encoder key left unused is an error.
    /// </summary>
    public static async Task<Dictionary<string, Tensor>> ReadOpenAiAsHuggingFaceAsync(SafeTensorsSource source, ClipVisionConfig config,
        CancellationToken ct, ClipNaming naming = ClipNaming.OpenAi)
    {
        if (naming == ClipNaming.HuggingFace) throw new ArgumentException("Not an OpenAI naming.", nameof(naming));
        var prefix = OpenAiPrefix(naming);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        async Task<Tensor> R(string key) => await source.ReadTensorAsync(prefix + key, CPU, ScalarType.Float32, ct).ConfigureAwait(false);
        async Task Copy(string from, string to) => result[to] = await R(from).ConfigureAwait(false);
        const string v = "vision_model.";
        await Copy("class_embedding", v + "embeddings.class_embedding");
        await Copy(OaPatch, v + "embeddings.patch_embedding.weight");
        await Copy("positional_embedding", v + "embeddings.position_embedding.weight");
        foreach (var p in new[] { "weight", "bias" })
        {
            await Copy($"ln_pre.{p}", $"{v}pre_layrnorm.{p}");
            await Copy($"ln_post.{p}", $"{v}post_layernorm.{p}");
        }
        using (var proj = await R("proj")) result["visual_projection.weight"] = proj.t().contiguous();
        for (int i = 0; i < config.NumHiddenLayers; i++)
        {
            string o = $"transformer.resblocks.{i}.", h = $"{v}encoder.layers.{i}.";
            using (var w = await R(o + "attn.in_proj_weight"))
            using (var b = await R(o + "attn.in_proj_bias"))
            {
                var ws = w.chunk(3, 0);
                var bs = b.chunk(3, 0);
                string[] names = ["q_proj", "k_proj", "v_proj"];
                for (int j = 0; j < 3; j++)
                {
                    result[$"{h}self_attn.{names[j]}.weight"] = ws[j].contiguous();
                    result[$"{h}self_attn.{names[j]}.bias"] = bs[j].contiguous();
                }
            }
            foreach (var p in new[] { "weight", "bias" })
            {
                await Copy($"{o}attn.out_proj.{p}", $"{h}self_attn.out_proj.{p}");
                await Copy($"{o}ln_1.{p}", $"{h}layer_norm1.{p}");
                await Copy($"{o}ln_2.{p}", $"{h}layer_norm2.{p}");
                await Copy($"{o}mlp.c_fc.{p}", $"{h}mlp.fc1.{p}");
                await Copy($"{o}mlp.c_proj.{p}", $"{h}mlp.fc2.{p}");
            }
        }
        var unused = source.Entries.Keys.Where(k => IsImageEncoderKey(k, naming))
            .Except(UsedOpenAiKeys(config).Select(k => prefix + k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
        {
            foreach (var t in result.Values) t.Dispose();
            throw new WeightLoadException("clip image encoder (OpenAI naming)", [], unused, [], source.Paths);
        }
        return result;
    }

    /// <summary>The image-encoder keys without <c>visual.</c>.</summary>
    private static IEnumerable<string> UsedOpenAiKeys(ClipVisionConfig config)
    {
        yield return "class_embedding";
        yield return OaPatch;
        yield return "positional_embedding";
        yield return "proj";
        foreach (var p in new[] { "weight", "bias" })
        {
            yield return $"ln_pre.{p}";
            yield return $"ln_post.{p}";
        }
        for (int i = 0; i < config.NumHiddenLayers; i++)
        {
            string o = $"transformer.resblocks.{i}.";
            yield return o + "attn.in_proj_weight";
            yield return o + "attn.in_proj_bias";
            foreach (var p in new[] { "weight", "bias" })
                foreach (var m in new[] { "attn.out_proj", "ln_1", "ln_2", "mlp.c_fc", "mlp.c_proj" })
                    yield return $"{o}{m}.{p}";
        }
    }

    [GeneratedRegex(@"^vision_model\.encoder\.layers\.(\d+)\.")]
    private static partial Regex HfLayer();

    [GeneratedRegex(@"^transformer\.resblocks\.(\d+)\.")]
    private static partial Regex OaLayer();
}

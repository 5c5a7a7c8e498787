using FaceCraft4D.Metrics.Clip;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Tests.Networks;

public class ClipTests
{
    private static readonly ClipVisionConfig Tiny = new(HiddenSize: 32, IntermediateSize: 64, NumHiddenLayers: 2, NumAttentionHeads: 4,
        ImageSize: 32, PatchSize: 8, ProjectionDim: 16);

    private static ClipVisionModelWithProjection RandomModel(ClipVisionConfig config, int seed)
    {
        var m = new ClipVisionModelWithProjection(config);
        ModuleRandomizer.Randomize(m, seed);
        m.eval();
        return m;
    }

    [Fact]
    public void VitB32_HasTheHuggingFaceNamesShapesAndTheOpenAiParameterCount()
    {
        using var m = new ClipVisionModelWithProjection(ClipVisionConfig.VitB32);
        var shapes = ParameterCounting.StateShapes(m).ToDictionary(s => s.Name, s => s.Shape);
        Assert.Equal(87_849_216, ParameterCounting.ParameterCount(m)); // OpenAI ViT-B/32 visual tower incl. projection
        Assert.Equal(new long[] { 768 }, shapes["vision_model.embeddings.class_embedding"]);
        Assert.Equal(new long[] { 768, 3, 32, 32 }, shapes["vision_model.embeddings.patch_embedding.weight"]);
        Assert.Equal(new long[] { 50, 768 }, shapes["vision_model.embeddings.position_embedding.weight"]);
        Assert.Equal(new long[] { 768 }, shapes["vision_model.pre_layrnorm.weight"]);
        Assert.Equal(new long[] { 768, 768 }, shapes["vision_model.encoder.layers.11.self_attn.q_proj.weight"]);
        Assert.Equal(new long[] { 3072, 768 }, shapes["vision_model.encoder.layers.0.mlp.fc1.weight"]);
        Assert.Equal(new long[] { 768 }, shapes["vision_model.encoder.layers.0.layer_norm2.bias"]);
        Assert.Equal(new long[] { 768 }, shapes["vision_model.post_layernorm.weight"]);
        Assert.Equal(new long[] { 512, 768 }, shapes["visual_projection.weight"]);
        Assert.Equal(5 + 12 * 16 + 2 + 1, shapes.Count);
    }

    [Fact]
    public void HuggingFaceConfigJson_IsRead()
    {
        const string json = """{"projection_dim": 768, "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24, "num_attention_heads": 16, "image_size": 224, "patch_size": 14, "hidden_act": "quick_gelu"}}""";
        Assert.Equal(ClipVisionConfig.VitL14, ClipVisionConfig.FromHuggingFaceJson(json));
    }

    [Fact]
    public void TinyModel_RunsForward_AndPreprocessesAnySize()
    {
        using var m = RandomModel(Tiny, 1);
        var encoder = new ClipImageEncoder(m, "tiny");
        using var images = TestImages.Texture(1, 3, 40, 56);
        using var pixels = ClipImagePreprocessor.Prepare(images, 32);
        Assert.Equal(new long[] { 3, 3, 32, 32 }, pixels.shape);
        using var e = encoder.Embed(images);
        Assert.Equal(new long[] { 3, 16 }, e.shape);
        using var again = encoder.Embed(images);
        Assert.True(e.allclose(again));
        using var cos = nn.functional.cosine_similarity(e[0].unsqueeze(0), again[0].unsqueeze(0));
        Assert.Equal(1.0, cos.item<float>(), 5);
    }

    [Fact]
    public async Task HuggingFaceCheckpoint_RoundTrips_TextKeysIgnored()
    {
        using var dir = new TempDirectory();
        using var original = RandomModel(Tiny, 2);
        var tensors = original.state_dict().ToList();
        tensors.Add(new("text_model.embeddings.token_embedding.weight", torch.zeros(10, 8)));
        tensors.Add(new("logit_scale", torch.tensor(2.6592f)));
        tensors.Add(new("vision_model.embeddings.position_ids", HeldScalarOps.Arange(17, ScalarType.Int64).unsqueeze(0)));
        await SafeTensorsWriter.WriteAsync(Path.Combine(dir.Path, ClipImageEncoder.WeightsFile), tensors);
        // without config.json the head count of a 32-wide tiny model cannot be inferred
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => ClipImageEncoder.LoadAsync(dir.Path, "tiny", CPU, CancellationToken.None));
        Assert.Contains("config.json", ex.Message);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, ClipImageEncoder.ConfigFile),
            """{"projection_dim": 16, "vision_config": {"hidden_size": 32, "num_attention_heads": 4, "hidden_act": "quick_gelu"}}""");

        using var loaded = await ClipImageEncoder.LoadAsync(dir.Path, "tiny", CPU, CancellationToken.None);
        Assert.Equal(Tiny, loaded.Model.Config);
        Assert.Contains("hf names", loaded.Name);
        using var x = TestImages.Texture(3, 2, 32, 32);
        using var expected = new ClipImageEncoder(original, "o").Embed(x);
        using var actual = loaded.Embed(x);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public async Task OpenAiCheckpoint_IsConvertedToTheSameModel()
    {
        using var dir = new TempDirectory();
        using var original = RandomModel(Tiny, 4);
        var hf = original.state_dict();
        // build the OpenAI-named state dict from the HF one (inverse of the converter)
        var oa = new Dictionary<string, Tensor>
        {
            ["visual.class_embedding"] = hf["vision_model.embeddings.class_embedding"],
            ["visual.conv1.weight"] = hf["vision_model.embeddings.patch_embedding.weight"],
            ["visual.positional_embedding"] = hf["vision_model.embeddings.position_embedding.weight"],
            ["visual.proj"] = hf["visual_projection.weight"].t().contiguous(),
            ["transformer.resblocks.0.attn.in_proj_weight"] = torch.zeros(96, 32), // text tower: ignored
            ["logit_scale"] = torch.tensor(1f),
        };
        foreach (var p in new[] { "weight", "bias" })
        {
            oa[$"visual.ln_pre.{p}"] = hf[$"vision_model.pre_layrnorm.{p}"];
            oa[$"visual.ln_post.{p}"] = hf[$"vision_model.post_layernorm.{p}"];
        }
        for (int i = 0; i < Tiny.NumHiddenLayers; i++)
        {
            string o = $"visual.transformer.resblocks.{i}.", h = $"vision_model.encoder.layers.{i}.";
            oa[o + "attn.in_proj_weight"] = torch.cat([hf[h + "self_attn.q_proj.weight"], hf[h + "self_attn.k_proj.weight"], hf[h + "self_attn.v_proj.weight"]], 0);
            oa[o + "attn.in_proj_bias"] = torch.cat([hf[h + "self_attn.q_proj.bias"], hf[h + "self_attn.k_proj.bias"], hf[h + "self_attn.v_proj.bias"]], 0);
            foreach (var p in new[] { "weight", "bias" })
            {
                oa[$"{o}attn.out_proj.{p}"] = hf[$"{h}self_attn.out_proj.{p}"];
                oa[$"{o}ln_1.{p}"] = hf[$"{h}layer_norm1.{p}"];
                oa[$"{o}ln_2.{p}"] = hf[$"{h}layer_norm2.{p}"];
                oa[$"{o}mlp.c_fc.{p}"] = hf[$"{h}mlp.fc1.{p}"];
                oa[$"{o}mlp.c_proj.{p}"] = hf[$"{h}mlp.fc2.{p}"];
            }
        }
        await SafeTensorsWriter.WriteAsync(Path.Combine(dir.Path, ClipImageEncoder.WeightsFile), oa);
        // heads cannot be inferred from shapes (width/64 would be 0 here): config.json supplies them
        await File.WriteAllTextAsync(Path.Combine(dir.Path, ClipImageEncoder.ConfigFile), """{"vision_config": {"num_attention_heads": 4}}""");

        using var loaded = await ClipImageEncoder.LoadAsync(dir.Path, "tiny-openai", CPU, CancellationToken.None);
        Assert.Equal(Tiny, loaded.Model.Config);
        Assert.Contains("openai names", loaded.Name);
        using var x = TestImages.Texture(5, 2, 32, 32);
        using var expected = new ClipImageEncoder(original, "o").Embed(x);
        using var actual = loaded.Embed(x);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-6));
    }
}

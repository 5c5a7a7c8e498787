using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Priors.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Diffusion;

/// <summary>
/// The full-size modules are built on the meta device (no memory) and their state dicts compared with official key
/// names, shapes and published totals gathered from public sources (Fixtures/*.txt).
/// </summary>
public class OfficialKeyNameTests
{
    private static readonly Device Meta = new(DeviceType.META);

    internal static void AssertMatches(nn.Module module, KeyFixture fixture)
    {
        var state = ParameterCounting.StateShapes(module).ToDictionary(s => s.Name, s => s.Shape, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (key, shape) in fixture.Keys)
        {
            if (!state.TryGetValue(key, out var actual)) problems.Add($"missing {key}");
            else if (!actual.SequenceEqual(shape)) problems.Add($"{key}: expected [{string.Join(", ", shape)}], module has [{string.Join(", ", actual)}]");
        }
        foreach (var key in fixture.Absent)
            if (state.ContainsKey(key)) problems.Add($"unexpected {key}");
        if (fixture.TotalTensors is int n && state.Count != n) problems.Add($"tensor count {state.Count} != {n}");
        if (fixture.TotalParams is long p && ParameterCounting.ParameterCount(module) != p)
            problems.Add($"parameter count {ParameterCounting.ParameterCount(module)} != {p}");
        foreach (var (prefix, expected) in fixture.PrefixParams)
        {
            long count = module.named_parameters().Where(np => np.name.StartsWith(prefix, StringComparison.Ordinal))
                .Sum(np => np.parameter.shape.Aggregate(1L, (a, b) => a * b));
            if (count != expected) problems.Add($"parameters under {prefix}: {count} != {expected}");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Sd15Unet_StateDict_MatchesOfficialNamesShapesAndTotals()
    {
        using var unet = new UNet2DConditionModel(UNet2DConditionConfig.StableDiffusion15(), Meta);
        AssertMatches(unet, KeyFixture.Load("sd15_unet_keys.txt"));
    }

    [Fact]
    public void Sd15Unet_FromOfficialConfigJson_EqualsPreset()
    {
        var parsed = UNet2DConditionConfig.Parse(File.ReadAllText(KeyFixture.PathOf("sd15_unet_config.json")));
        using var unet = new UNet2DConditionModel(parsed, Meta);
        AssertMatches(unet, KeyFixture.Load("sd15_unet_keys.txt"));
        Assert.Equal([8, 8, 8, 8], parsed.NumAttentionHeads);
        Assert.Equal([768, 768, 768, 768], parsed.CrossAttentionDim);
    }

    [Fact]
    public void SdxlUnet_FromOfficialConfigJson_MatchesOfficialNamesShapesAndTotals()
    {
        var parsed = UNet2DConditionConfig.Parse(File.ReadAllText(KeyFixture.PathOf("sdxl_unet_config.json")));
        Assert.Equal([[1, 1], [2, 2], [10, 10]], parsed.TransformerLayersPerBlock);
        Assert.Equal([[10, 10, 10], [2, 2, 2], [1, 1, 1]], parsed.UpTransformerLayersPerBlock);
        using var unet = new UNet2DConditionModel(parsed, Meta);
        AssertMatches(unet, KeyFixture.Load("sdxl_unet_keys.txt"));
    }

    [Fact]
    public void Sd21Unet_HasPublishedParameterCount()
    {
        using var unet = new UNet2DConditionModel(UNet2DConditionConfig.StableDiffusion21(), Meta);
        Assert.Equal(686, ParameterCounting.StateShapes(unet).Count);
        Assert.Equal(865_910_724L, ParameterCounting.ParameterCount(unet));
        var shapes = ParameterCounting.StateShapes(unet).ToDictionary(s => s.Name, s => s.Shape);
        Assert.Equal([1280L, 1280L], shapes["mid_block.attentions.0.proj_in.weight"]);
        Assert.Equal([320L, 1024L], shapes["down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"]);
    }

    [Fact]
    public void SdVae_FromOfficialConfigJson_MatchesOfficialNamesShapesTotalsAndBlockCounts()
    {
        var parsed = AutoencoderKLConfig.Parse(File.ReadAllText(KeyFixture.PathOf("sd_vae_config.json")));
        Assert.Equal(0.18215, parsed.ScalingFactor);
        using var vae = new AutoencoderKL(parsed, Meta);
        AssertMatches(vae, KeyFixture.Load("sd_vae_keys.txt"));
    }

    [Fact]
    public void UnsupportedConfigOption_IsRejectedNamingTheKey()
    {
        var json = File.ReadAllText(KeyFixture.PathOf("sd15_unet_config.json")).Replace("\"act_fn\": \"silu\",", "\"act_fn\": \"silu\", \"class_embed_type\": \"timestep\",");
        var ex = Assert.Throws<NotSupportedException>(() => UNet2DConditionConfig.Parse(json));
        Assert.Contains("class_embed_type", ex.Message);
    }
}

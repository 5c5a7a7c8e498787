using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Stages.Models.Tiny;
using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Diffusion;

public class LatentDiffusionModelLoaderTests
{
    /// <summary>diffusers config.json of <see cref="TinyModels.SdUnet"/> (the tiny folder's own, one definition).</summary>
    internal const string TinyUnetJson = TinyDiffusionFolder.UnetConfigJson;

    internal const string TinyVaeJson = TinyDiffusionFolder.VaeConfigJson;

    internal static async Task WriteFolderAsync(string root, LatentDiffusionModel model)
    {
        Directory.CreateDirectory(Path.Combine(root, "unet"));
        Directory.CreateDirectory(Path.Combine(root, "vae"));
        Directory.CreateDirectory(Path.Combine(root, "scheduler"));
        await File.WriteAllTextAsync(Path.Combine(root, "unet/config.json"), TinyUnetJson);
        await File.WriteAllTextAsync(Path.Combine(root, "vae/config.json"), TinyVaeJson);
        File.Copy(KeyFixture.PathOf("sd15_scheduler_config.json"), Path.Combine(root, "scheduler/scheduler_config.json"));
        await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(root, "unet/diffusion_pytorch_model.safetensors"), model.Unet);
        await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(root, "vae/diffusion_pytorch_model.safetensors"), model.Vae);
        await SafeTensorsWriter.WriteAsync(Path.Combine(root, PromptConditioning.FileName), new Dictionary<string, Tensor>
        {
            ["prompt_embeds"] = model.Conditioning.PromptEmbeds,
            ["negative_prompt_embeds"] = model.Conditioning.NegativePromptEmbeds!,
        });
    }

    [Fact]
    public void TinyJsonConfigs_ParseToTheTinyPresets()
    {
        var unet = UNet2DConditionConfig.Parse(TinyUnetJson);
        var expected = TinyModels.SdUnet();
        Assert.Equal(expected.BlockOutChannels, unet.BlockOutChannels);
        Assert.Equal(expected.NumAttentionHeads, unet.NumAttentionHeads);
        Assert.Equal(expected.TransformerLayersPerBlock, unet.TransformerLayersPerBlock);
        Assert.Equal(expected.UpTransformerLayersPerBlock, unet.UpTransformerLayersPerBlock);
    }

    [Fact]
    public async Task ModelFolder_LoadsByOfficialNames_AndEnhancesLikeTheInMemoryModel()
    {
        using var dir = new TempDirectory();
        var root = Path.Combine(dir.Path, "models", "cosmicman-sd", "v1");
        using var reference = new MultiViewDiffusionEnhancer(TinyModels.DiffusionModel(seed: 4));
        await WriteFolderAsync(root, reference.Model);

        Assert.True(MultiViewDiffusionEnhancer.Inspect(root).IsComplete);
        using var loaded = await MultiViewDiffusionEnhancer.LoadAsync(root, CPU);
        Assert.Equal("diffusion:cosmicman-sd/v1", loaded.Backend);

        using var g = new Generator(1, CPU);
        using var refImage = torch.rand([1, 3, 16, 16], generator: g).Times(2).Minus(1);
        using var coarse = torch.rand([1, 3, 16, 16], generator: g).Times(2).Minus(1);
        var options = new MultiViewEnhanceOptions { GuidanceScale = 2.0 };
        using var expected = reference.Enhance(new MultiViewEnhanceRequest(refImage, coarse), options);
        using var actual = loaded.Enhance(new MultiViewEnhanceRequest(refImage, coarse), options);
        TensorAssert.Close(expected.Images, actual.Images, 1e-5);
    }

    [Fact]
    public async Task IncompleteFolder_ListsEveryMissingFile()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("unet/config.json"), TinyUnetJson);
        var ex = await Assert.ThrowsAsync<ModelFolderException>(() => LatentDiffusionModelLoader.LoadAsync(dir.Path, CPU));
        Assert.Equal(5, ex.Report.Missing.Count);
        Assert.Contains("unet/diffusion_pytorch_model.safetensors or unet/diffusion_pytorch_model.safetensors.index.json", ex.Message);
        Assert.Contains("vae/config.json", ex.Message);
        Assert.Contains("scheduler/scheduler_config.json", ex.Message);
        Assert.Contains("prompt_embeds.safetensors", ex.Message);
        Assert.Contains("unet/config.json", ex.Report.Found);
    }

    [Fact]
    public async Task WeightsOfAnotherArchitecture_FailWithTheOffendingKeys()
    {
        using var dir = new TempDirectory();
        using var model = TinyModels.DiffusionModel(seed: 4);
        await WriteFolderAsync(dir.Path, model);
        // Replace the UNet weights by the SDXL-like tiny UNet's.
        using var other = TinyModels.CreateUnet(TinyModels.SdxlUnet(), 1);
        await SafeTensorsWriter.WriteStateDictAsync(Path.Combine(dir.Path, "unet/diffusion_pytorch_model.safetensors"), other);
        var ex = await Assert.ThrowsAsync<WeightLoadException>(() => LatentDiffusionModelLoader.LoadAsync(dir.Path, CPU));
        Assert.Equal("unet", ex.ModelName);
        Assert.Contains("add_embedding.linear_1.weight", ex.UnexpectedKeys);
        Assert.Contains("down_blocks.0.attentions.0.norm.weight", ex.MissingKeys);
    }

    [Fact]
    public async Task PromptEmbeddings_WithUnknownKey_AreRejected()
    {
        using var dir = new TempDirectory();
        var path = dir.File(PromptConditioning.FileName);
        using var e = torch.zeros([1, 77, 16]);
        await SafeTensorsWriter.WriteAsync(path, new Dictionary<string, Tensor> { ["prompt_embeds"] = e, ["promt_embeds_neg"] = e });
        var ex = await Assert.ThrowsAsync<WeightLoadException>(() => PromptConditioning.LoadAsync(path, CPU, ScalarType.Float32));
        Assert.Contains("promt_embeds_neg", ex.Message);
    }
}

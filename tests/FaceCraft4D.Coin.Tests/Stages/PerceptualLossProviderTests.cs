using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Testing;
using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Weights;
using TorchSharp;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>COIN's perceptual loss comes from the one LPIPS file in the models store (the one the metric and PanoHead use).</summary>
public sealed class PerceptualLossProviderTests
{
    private static async Task PutAsync(InMemoryBlobStore blobs, LpipsConfig config)
    {
        using var network = new LpipsNetwork(config);
        ModuleRandomizer.Randomize(network.Trunk, 1);
        var bytes = InMemorySafeTensors.FromStateDict(network).ToArray();
        await blobs.WriteAsync(new BlobRef(StorageLayout.ModelsContainer, LpipsWeights.DefaultModelPath), BinaryData.FromBytes(bytes),
            "application/octet-stream", CancellationToken.None);
    }

    [Fact]
    public async Task Auto_uses_lpips_from_the_shared_default_path_with_gradients_to_the_render()
    {
        var blobs = new InMemoryBlobStore();
        await PutAsync(blobs, new LpipsConfig(LpipsTrunkKind.Vgg16, [4, 6, 8, 8, 8]));
        using var host = new TrainingStageHost(blobs);
        var loss = await host.Get<PerceptualLossProvider>().GetAsync(torch.CPU, CancellationToken.None);
        Assert.IsType<LpipsVgg16PerceptualLoss>(loss);
        Assert.Equal("lpips-vgg16", loss.Name);

        using var scope = torch.NewDisposeScope();
        var target = torch.rand(32, 32, 3, generator: new torch.Generator(2));
        var rendered = torch.rand(32, 32, 3, generator: new torch.Generator(3)).requires_grad_(true);
        var value = loss.Loss(rendered, target);
        value.backward();
        Assert.True(value.item<float>() != 0);
        Assert.True(rendered.grad!.abs().sum().item<float>() > 0);
        Assert.Equal(0f, loss.Loss(target, target).item<float>(), 6);
    }

    [Fact]
    public async Task Without_the_file_auto_uses_resnet18_features_and_lpips_vgg16_is_unavailable()
    {
        using var host = new TrainingStageHost(new InMemoryBlobStore());
        var provider = host.Get<PerceptualLossProvider>();
        var loss = await provider.GetAsync(torch.CPU, CancellationToken.None); // ResNet18.onnx from the NuGet cache (restored with the solution)
        Assert.IsType<ResNet18PerceptualLoss>(loss);
        Assert.Equal("resnet18-features", loss.Name);
        Assert.Same(loss, await provider.GetAsync(torch.CPU, CancellationToken.None)); // read once per device
        using (var scope = torch.NewDisposeScope())
        {
            var target = torch.rand(32, 32, 3, generator: new torch.Generator(2));
            var rendered = torch.rand(32, 32, 3, generator: new torch.Generator(3)).requires_grad_(true);
            var value = loss.Loss(rendered, target, torch.ones(32, 32));
            value.backward();
            Assert.True(value.item<float>() > 0);
            Assert.True(rendered.grad!.abs().sum().item<float>() > 0);
            Assert.Equal(0f, loss.Loss(target, target).item<float>(), 6);
        }

        using var structural = new TrainingStageHost(new InMemoryBlobStore(), new Dictionary<string, string?> { ["Fc4d:Training:PerceptualLoss"] = "ms-structure" });
        Assert.IsType<StructuralPerceptualLoss>(await structural.Get<PerceptualLossProvider>().GetAsync(torch.CPU, CancellationToken.None));

        using var strict = new TrainingStageHost(new InMemoryBlobStore(), new Dictionary<string, string?> { ["Fc4d:Training:PerceptualLoss"] = "lpips-vgg16" });
        var ex = await Assert.ThrowsAsync<BackendUnavailableException>(() => strict.Get<PerceptualLossProvider>().GetAsync(torch.CPU, CancellationToken.None));
        Assert.Contains(LpipsWeights.DefaultModelPath, ex.Message);
    }

    [Fact]
    public async Task An_alexnet_file_is_refused_for_the_vgg16_loss()
    {
        var blobs = new InMemoryBlobStore();
        await PutAsync(blobs, new LpipsConfig(LpipsTrunkKind.AlexNet, [4, 6, 8, 6, 6]));
        using var host = new TrainingStageHost(blobs);
        var ex = await Assert.ThrowsAsync<BackendUnavailableException>(() => host.Get<PerceptualLossProvider>().GetAsync(torch.CPU, CancellationToken.None));
        Assert.Contains("alexnet", ex.Message);
    }
}

using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.ImagePrior;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.Models.Tiny;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>Where the <c>diffusion</c> backend finds its model folder, and what it says when the folder does not load.</summary>
public sealed class DiffusionModelFolderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "fc4d-diffusion-folders", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_model_folder_in_the_models_container_is_copied_to_the_cache_and_enhances_like_the_local_one()
    {
        await TinyDiffusionFolder.WriteAsync(Path.Combine(root, "diffusion", "cosmicman", "v1"), seed: 2);
        var blobs = new InMemoryBlobStore();
        foreach (var file in DiffusionModelCache.Files)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(root, "diffusion", "cosmicman", "v1", file));
            await blobs.WriteAsync(new BlobRef(StorageLayout.ModelsContainer, $"diffusion/cosmicman/v1/{file}"), new BinaryData(bytes), "application/octet-stream", CancellationToken.None);
        }
        var cache = Path.Combine(root, "cache");
        var noLocal = new ModelStoreOptions { LocalPath = Path.Combine(root, "no-local-models") };
        using var fromBlobs = new DiffusionViewEnhancer(Options.Create(new DiffusionViewEnhancerOptions { CacheFolder = cache }), Options.Create(noLocal),
            new ModelStore(blobs, Options.Create(noLocal)));
        using var local = new DiffusionViewEnhancer(Options.Create(new DiffusionViewEnhancerOptions()), Options.Create(new ModelStoreOptions { LocalPath = root }));
        var input = EnhancementInputs.Input(EnhancementInputs.Gradient(16, 0.2f), EnhancementInputs.Gradient(16, 0.6f));

        var copied = await fromBlobs.EnhanceAsync(input, CancellationToken.None);
        var expected = await local.EnhanceAsync(input, CancellationToken.None);

        Assert.Equal("diffusion:cosmicman/v1", copied.Backend);
        Assert.Equal(expected.Image.Data, copied.Image.Data);
        Assert.True(File.Exists(Path.Combine(cache, "diffusion", "cosmicman", "v1", "unet", "diffusion_pytorch_model.safetensors")));
    }

    [Fact]
    public async Task Weights_of_another_network_make_the_backend_unavailable_naming_the_folder_and_the_keys()
    {
        var folder = Path.Combine(root, "diffusion", "cosmicman", "v1");
        await TinyDiffusionFolder.WriteAsync(folder, seed: 2);
        File.Copy(Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors"), Path.Combine(folder, "vae", "diffusion_pytorch_model.safetensors"), overwrite: true);
        using var backend = new DiffusionViewEnhancer(
            Options.Create(new DiffusionViewEnhancerOptions()), Options.Create(new ModelStoreOptions { LocalPath = root }));

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() =>
            backend.EnhanceAsync(EnhancementInputs.Input(EnhancementInputs.Gradient(16, 0.2f), EnhancementInputs.Gradient(16, 0.6f)), CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Contains(folder, error.Message);
        Assert.Contains("conv_in.weight", error.Message);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

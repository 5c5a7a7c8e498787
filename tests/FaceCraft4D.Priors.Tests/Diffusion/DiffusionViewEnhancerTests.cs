using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.ImagePrior;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Priors.Tests.Diffusion;

/// <summary>The <c>diffusion</c> backend of the EnhanceView stages on a tiny converted model folder.</summary>
public sealed class DiffusionViewEnhancerTests
{
    [Fact]
    public async Task With_a_model_folder_the_stage_backend_enhances_a_view_and_names_the_model()
    {
        using var dir = new TempDirectory();
        var root = Path.Combine(dir.Path, "diffusion", "cosmicman-sd", "v1");
        using (var tiny = new MultiViewDiffusionEnhancer(TinyModels.DiffusionModel(seed: 9)))
        {
            await LatentDiffusionModelLoaderTests.WriteFolderAsync(root, tiny.Model);
        }

        using var backend = Backend(dir.Path, "diffusion/cosmicman-sd/v1");
        var input = Input(16);

        var first = await backend.EnhanceAsync(input, CancellationToken.None);
        var second = await backend.EnhanceAsync(input, CancellationToken.None);

        Assert.Equal("diffusion:cosmicman-sd/v1", first.Backend);
        Assert.Equal((16, 16), (first.Image.Width, first.Image.Height));
        Assert.Equal(first.Image.Data, second.Image.Data);
        Assert.NotEqual(input.Coarse.Data, first.Image.Data);
        Assert.All(first.Image.Data, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public async Task Without_weights_the_backend_is_unavailable_and_says_what_is_missing()
    {
        using var dir = new TempDirectory();
        using var backend = Backend(dir.Path, "diffusion/absent/v1");

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.EnhanceAsync(Input(16), CancellationToken.None));

        Assert.Contains("diffusion weights are not available", error.Message);
        Assert.Contains("absent", error.Message);
    }

    private static DiffusionViewEnhancer Backend(string modelsRoot, string folder) => new(
        Options.Create(new DiffusionViewEnhancerOptions { Folder = folder }),
        Options.Create(new ModelStoreOptions { LocalPath = modelsRoot }));

    private static ViewEnhancementInput Input(int size)
    {
        var camera = OrbitCameras.Create(new OrbitCameraOptions { ViewCount = 4, Width = size, Height = size })[1];
        var reference = Gradient(size, 0.2f);
        var coarse = Gradient(size, 0.6f);
        var depth = new DepthMap(size, size, Enumerable.Repeat(1f, size * size).ToArray());
        var anchor = new AnchorView("reference", reference, depth, camera);
        var mask = new FloatImage(size, size, Enumerable.Range(0, size * size).Select(i => i % size < size / 2 ? 1f : 0f).ToArray());
        var latent = new FloatImage(size / 8, size / 8, Enumerable.Range(0, size * size / 64).Select(i => i % (size / 8) == 0 ? 1f : 0f).ToArray());
        var warped = new WarpedView(reference, mask, mask, latent, new int[size * size]);
        return new ViewEnhancementInput(1, anchor, [anchor], camera, coarse, depth, mask, warped, DiffusionSteps: 5, DiffusionStrength: 0.4, Seed: 3);
    }

    private static RgbImage Gradient(int size, float offset)
    {
        var image = new RgbImage(size, size);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                image[x, y] = new Vector3((x / (float)size + offset) % 1f, y / (float)size, offset);
            }
        }

        return image;
    }
}

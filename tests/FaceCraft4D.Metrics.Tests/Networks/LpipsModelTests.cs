using FaceCraft4D.Weights;
using FaceCraft4D.Metrics.Lpips;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Priors;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Tests.Networks;

/// <summary>The <c>lpips</c> metric's model folder: the one LPIPS file (the network itself is tested in Vision).</summary>
public class LpipsModelTests
{
    [Fact]
    public async Task Loads_the_one_weights_file_from_the_version_folder_and_names_its_trunk()
    {
        using var dir = new TempDirectory();
        using var original = new LpipsNetwork(new LpipsConfig(LpipsTrunkKind.Vgg16, [4, 6, 8, 8, 8]));
        ModuleRandomizer.Randomize(original.Trunk, 4);
        using (torch.no_grad())
            foreach (var head in original.Heads)
                foreach (var p in head.parameters()) p.abs_(); // the official heads are non-negative
        await InMemorySafeTensors.FromStateDict(original).WriteAsync(dir.File(LpipsWeights.FileName));

        using var model = await LpipsModel.LoadAsync(dir.Path, "v0.1", CPU, CancellationToken.None);
        Assert.Equal("lpips:vgg16/v0.1", model.Name);
        using var x = TestImages.Texture(1, 1, 64, 64);
        using var y = TestImages.Texture(2, 1, 64, 64);
        using var expected = original.Distance(x.Times(2).Minus(1), y.Times(2).Minus(1));
        using var d = model.Distance(x, y); // [0, 1] images
        Assert.Equal(expected.item<float>(), d.item<float>(), 6);
        Assert.True(d.item<float>() > 0);
    }

    [Fact]
    public async Task Missing_model_folder_names_the_expected_file()
    {
        using var dir = new TempDirectory();
        var ex = await Assert.ThrowsAsync<ModelFolderException>(() => LpipsModel.LoadAsync(dir.Path, "v0.1", CPU, CancellationToken.None));
        Assert.Contains(LpipsWeights.FileName, ex.Message);
    }
}

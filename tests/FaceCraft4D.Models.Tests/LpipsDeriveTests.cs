using FaceCraft4D.Models.Installation;
using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Models.Tests;

/// <summary>The one LPIPS file (metric, COIN, PanoHead) built from the installed LPIPS sources, loaded strictly by the Vision port.</summary>
public sealed class LpipsDeriveTests
{
    private static readonly (int Index, int In, int Out)[] Convs =
        [(0, 3, 64), (2, 64, 64), (5, 64, 128), (7, 128, 128), (10, 128, 256), (12, 256, 256), (14, 256, 256),
         (17, 256, 512), (19, 512, 512), (21, 512, 512), (24, 512, 512), (26, 512, 512), (28, 512, 512)];

    private static async Task WriteMetricLpipsAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        torch.manual_seed(3);
        var trunk = new Dictionary<string, Tensor>();
        foreach (var (i, cin, cout) in Convs)
        {
            trunk[$"features.{i}.weight"] = torch.randn(cout, cin, 3, 3).Times(0.01);
            trunk[$"features.{i}.bias"] = torch.randn(cout).Times(0.01);
        }
        trunk["classifier.0.weight"] = torch.zeros(4, 4); // torchvision files carry the classifier too
        await SafeTensorsWriter.WriteAsync(Path.Combine(folder, "trunk.safetensors"), trunk);
        var lin = new Dictionary<string, Tensor>();
        int[] channels = [64, 128, 256, 512, 512];
        for (int k = 0; k < 5; k++) lin[$"lin{k}.model.1.weight"] = torch.rand(1, channels[k], 1, 1);
        await SafeTensorsWriter.WriteAsync(Path.Combine(folder, "lin.safetensors"), lin);
        foreach (var t in trunk.Values.Concat(lin.Values)) t.Dispose();
    }

    [Fact]
    public async Task Pull_builds_the_lpips_package_file_from_the_installed_sources()
    {
        await using var bed = await ModelsTestBed.CreateAsync();
        var manifest = bed.Manifest with
        {
            Priors =
            [
                .. bed.Manifest.Priors,
                new PriorEntry
                {
                    Name = "lpips-sources", Version = "v0.1", Folder = "lpips/sources", Acquisition = AcquisitionKinds.Import,
                    Licence = new LicenceInfo { Id = "BSD-2-Clause", Url = "https://example.invalid/bsd" },
                    Files = [new ManifestFile { Source = "trunk.safetensors", Install = "trunk.safetensors" }, new ManifestFile { Source = "lin.safetensors", Install = "lin.safetensors" }],
                },
                new PriorEntry
                {
                    Name = "lpips", Version = "v0.1", Folder = "lpips/v0.1", Acquisition = AcquisitionKinds.Derive, DerivedFrom = "lpips-sources",
                    Licence = new LicenceInfo { Id = "BSD-2-Clause", Url = "https://example.invalid/bsd" },
                    Files = [new ManifestFile { Source = "lpips-vgg16.safetensors", Install = "lpips-vgg16.safetensors", Convert = ConversionKinds.LpipsVgg16FromParts }],
                },
            ],
        };
        Assert.Empty(ModelManifestLoader.Validate(manifest));

        var refusal = await Assert.ThrowsAsync<ModelsException>(() =>
            bed.Puller.PullAsync(manifest, new PullRequest(["lpips"], []), null, CancellationToken.None));
        Assert.Contains("pull or import lpips-sources first", refusal.Message);

        var incoming = Path.Combine(bed.Directory, "metric-lpips");
        await WriteMetricLpipsAsync(incoming);
        await bed.Importer.ImportAsync(manifest, incoming, ["lpips-sources"], null, CancellationToken.None);
        var outcome = Assert.Single(await bed.Puller.PullAsync(manifest, new PullRequest(["lpips"], []), null, CancellationToken.None));
        Assert.Equal("installed", outcome.Result);

        var path = Path.Combine(bed.ModelsRoot, LpipsWeights.DefaultModelPath);
        using var network = await LpipsWeights.LoadAsync(path, CancellationToken.None); // strict: every tensor present, same shape, nothing left over
        Assert.Equal(LpipsTrunkKind.Vgg16, network.Config.Trunk);
        var state = network.state_dict();
        using (var trunk = await SafeTensorsFile.OpenAsync(Path.Combine(incoming, "trunk.safetensors")))
        using (var expected = await trunk.ReadTensorAsync("features.12.weight"))
            Assert.Equal(expected.data<float>().ToArray(), state["net.slice3.12.weight"].data<float>().ToArray());
        Assert.Equal([-0.030f, -0.088f, -0.188f], state["scaling_layer.shift"].data<float>().ToArray());
        Assert.Equal(PriorState.Installed, (await bed.Verifier.CheckAsync(manifest, ["lpips"], true, CancellationToken.None))[0].State);
    }
}

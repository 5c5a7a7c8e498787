using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Preprocessing.Networks;
using FaceCraft4D.Vision.Preprocessing.Tfjs;

namespace FaceCraft4D.Vision.Tests;

/// <summary>The official face-api.js weights from the npm package load into the ports with every tensor consumed.</summary>
public sealed class RealWeightsTests
{
    [Theory]
    [InlineData(TinyFaceDetector.ManifestFileName, "detector", 19)]
    [InlineData(FaceLandmark68Detector.FullManifest, "full", 49)]
    [InlineData(FaceLandmark68Detector.TinyManifest, "tiny", 28)]
    public async Task Official_weights_bind_to_every_parameter_and_are_all_consumed(string manifest, string kind, int expectedTensors)
    {
        var folder = TestAssets.RequireModels();
        var weights = await TfjsWeightsReader.ReadAsync(Path.Combine(folder, manifest), CancellationToken.None);
        Assert.Equal(expectedTensors, weights.Count);
        Assert.All(weights.Values, w => Assert.All(w.Values, v => Assert.True(float.IsFinite(v))));
        IEnumerable<TfjsParameterBinding> bindings;
        TorchSharp.torch.nn.Module net = kind switch
        {
            "detector" => new TinyFaceDetectorNet(TinyFaceDetectorNetConfig.Official),
            "full" => new FaceLandmark68Net(FaceLandmark68NetConfig.Full),
            _ => new FaceLandmark68Net(FaceLandmark68NetConfig.Tiny),
        };
        using (net)
        {
            bindings = net switch
            {
                TinyFaceDetectorNet d => d.Bindings().ToList(),
                FaceLandmark68Net l => l.Bindings().ToList(),
                _ => throw new InvalidOperationException(),
            };
            TfjsWeightBinder.Bind(weights, bindings, manifest); // throws on a missing, unconsumed or misshapen tensor
            Assert.Equal(weights.Count, bindings.Count());
            var first = bindings.First();
            Assert.Equal(weights[first.TfjsName].Values.Length, (int)first.Target.numel());
        }
    }
}

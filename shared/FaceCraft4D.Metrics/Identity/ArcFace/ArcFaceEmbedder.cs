using FaceCraft4D.Metrics.Models;
using FaceCraft4D.Weights;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity.ArcFace;

/// <summary>
/// ArcFace ID embeddings: face-api.js detector + 68 landmarks (Vision ports) → <see cref="ArcFaceAligner"/> →
/// (v/255 − 0.5)/0.5 → <see cref="IResNet"/>. Model folder <c>models/arcface/{version}/model.safetensors</c>: an
/// arcface_torch backbone state dict (<c>conv1.weight</c>, <c>layer3.13.conv2.weight</c>, <c>fc.weight</c>,
/// <c>features.running_var</c>, …; <c>*.num_batches_tracked</c> ignored); the depth is read from the keys.
/// </summary>
public sealed class ArcFaceEmbedder : IFaceEmbedder
{
    public const string WeightsFile = "model.safetensors";
    private readonly IFaceDetector detector;
    private readonly ILandmarkDetector landmarks;
    private readonly IResNet net;
    private readonly Device device;
    private readonly IDisposable[] owned;

    public ArcFaceEmbedder(IFaceDetector detector, ILandmarkDetector landmarks, IResNet net, string name, Device device, params IDisposable[] owned)
    {
        this.detector = detector; this.landmarks = landmarks; this.net = net; this.device = device; this.owned = owned;
        BackendName = name;
        net.to(device).eval();
    }

    public string BackendName { get; }

    /// <summary>Reads the backbone's stage depths and embedding size from an arcface_torch state dict.</summary>
    public static ArcFaceConfig InferConfig(SafeTensorsSource source)
    {
        var layers = new int[4];
        for (int k = 0; k < 4; k++)
            while (source.Contains($"layer{k + 1}.{layers[k]}.conv1.weight")) layers[k]++;
        if (layers.Any(l => l == 0) || !source.Contains("fc.weight"))
            throw new InvalidDataException($"{string.Join(", ", source.Paths)}: not an arcface_torch IResNet backbone (layer1..4.*.conv1.weight, fc.weight expected).");
        var widths = Enumerable.Range(1, 4).Select(k => (int)source.Entry($"layer{k}.0.conv1.weight").Shape[0]).ToArray();
        return new ArcFaceConfig(layers, widths, (int)source.Entry("fc.weight").Shape[0]);
    }

    /// <summary>The backbone of a model folder (<c>{folder}/model.safetensors</c>).</summary>
    public static async Task<IResNet> LoadNetworkAsync(string folder, CancellationToken ct)
    {
        ModelFiles.Require(folder, WeightsFile);
        using var source = await SafeTensorsSource.OpenAsync(Path.Combine(folder, WeightsFile), ct).ConfigureAwait(false);
        return await LoadNetworkAsync(source, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The backbone of an arcface_torch state dict (one file or an index over shards): config inferred from the keys,
    /// strict load (every key used except <c>*.num_batches_tracked</c>, none missing). Caller disposes the network.
    /// </summary>
    public static async Task<IResNet> LoadNetworkAsync(SafeTensorsSource source, CancellationToken ct)
    {
        var net = new IResNet(InferConfig(source));
        try
        {
            await StateDictLoader.LoadAsync(net, source, "arcface iresnet",
                new WeightLoadOptions { IgnoreKey = k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal) }, ct).ConfigureAwait(false);
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    public async Task<FaceDescriptor?> DescribeAsync(RgbImageBuffer image, CancellationToken ct)
    {
        var faces = await detector.DetectAsync(image, ct).ConfigureAwait(false);
        if (faces.Count == 0) return null;
        var best = faces.MaxBy(f => f.Score)!;
        var marks = await landmarks.DetectAsync(image, best.Box, ct).ConfigureAwait(false);
        var aligned = ArcFaceAligner.Align(image, marks, net.Config.InputSize);
        return new FaceDescriptor(Embed(aligned), best.Box, best.Score);
    }

    /// <summary>Embedding of an already aligned crop (planar 0..255, InputSize²).</summary>
    public float[] Embed(RgbImageBuffer aligned)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(aligned.Data, new long[] { 1, 3, aligned.Height, aligned.Width }).DividedBy(255f).Minus(0.5f).DividedBy(0.5f);
        return net.forward(x.to(device)).cpu().contiguous().data<float>().ToArray();
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
    }
}

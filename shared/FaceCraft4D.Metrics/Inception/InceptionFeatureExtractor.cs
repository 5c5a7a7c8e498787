using FaceCraft4D.Metrics.Models;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Inception;

/// <summary>
/// pool3 features for FID from the pytorch-fid Inception weights. Model folder <c>models/inception/{version}/</c>:
/// <c>pt_inception.safetensors</c> = pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c> state dict under its own
/// names (<c>Conv2d_1a_3x3.conv.weight</c>, <c>Mixed_5b.branch1x1.bn.running_var</c>, ...; <c>fc.*</c>,
/// <c>AuxLogits.*</c> and <c>*.num_batches_tracked</c> are ignored).
/// </summary>
public sealed class InceptionFeatureExtractor : IDisposable
{
    public const string WeightsFile = "pt_inception.safetensors";

    public InceptionFeatureExtractor(FidInceptionV3 network, string name, int batchSize = 16)
    {
        Network = network;
        Name = name;
        BatchSize = batchSize;
        network.eval();
    }

    public FidInceptionV3 Network { get; }

    /// <summary>Recorded backend, e.g. <c>inception:pt-inception-2015-12-05 (pytorch-fid pool3)</c>.</summary>
    public string Name { get; }

    public int BatchSize { get; }

    public static async Task<InceptionFeatureExtractor> LoadAsync(string folder, string version, Device device, int batchSize, CancellationToken ct)
    {
        ModelFiles.Require(folder, WeightsFile);
        using var source = await SafeTensorsSource.OpenAsync(Path.Combine(folder, WeightsFile), ct).ConfigureAwait(false);
        var net = new FidInceptionV3(InceptionConfig.Official);
        try
        {
            await LoadWeightsAsync(net, source, ct).ConfigureAwait(false);
            net.to(device);
            return new InceptionFeatureExtractor(net, $"inception:{version} (pytorch-fid pool3)", batchSize);
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    public static Task<WeightLoadReport> LoadWeightsAsync(FidInceptionV3 net, SafeTensorsSource source, CancellationToken ct) =>
        StateDictLoader.LoadAsync(net, source, "fid inception v3", new WeightLoadOptions
        {
            IgnoreKey = k => k.StartsWith("fc.", StringComparison.Ordinal) || k.StartsWith("AuxLogits.", StringComparison.Ordinal)
                             || k.EndsWith(".num_batches_tracked", StringComparison.Ordinal),
        }, ct);

    /// <param name="images">[N, 3, H, W] in [0, 1]</param>
    /// <returns>[N, FeatureSize] float32 on the CPU. Caller disposes.</returns>
    public Tensor Features(Tensor images)
    {
        using var _ = torch.no_grad();
        var device = Network.parameters().First().device;
        var parts = new List<Tensor>();
        try
        {
            for (long i = 0; i < images.shape[0]; i += BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = images[TensorIndex.Slice(i, Math.Min(images.shape[0], i + BatchSize))].to(device);
                parts.Add(Network.forward(batch).cpu().MoveToOuterDisposeScope());
            }
            return torch.cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    public void Dispose() => Network.Dispose();
}

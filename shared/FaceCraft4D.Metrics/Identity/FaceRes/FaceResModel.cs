using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity.FaceRes;

/// <summary>
/// @vladmandic/human's face description net (<c>faceres.json</c>, MIT; a MobileNet with age and gender heads whose
/// global-average-pooled features <c>global_pooling/Mean</c> are human's 1024-D face descriptor), run by
/// <see cref="TfjsTorchGraph"/> with its weights bound by graph node name (strict: the age and gender heads run too, so
/// every weight is used). Input 224² RGB in 0..255, as human feeds it (its 0..1 face tensor × 255).
/// </summary>
public sealed class FaceResModel : IDisposable
{
    public const string ModelFile = "faceres.json";
    public const int InputSize = 224;
    public const string DescriptorOutput = "global_pooling/Mean";
    public const string GenderOutput = "gender_pred/Sigmoid";
    public const string AgeOutput = "age_pred/Softmax";
    private readonly TfjsTorchGraph graph;

    private FaceResModel(TfjsTorchGraph graph) => this.graph = graph;

    public static async Task<FaceResModel> LoadAsync(string folder, Device device, CancellationToken ct)
    {
        var file = await TfjsGraphModelFile.ReadAsync(Path.Combine(folder, ModelFile), ct).ConfigureAwait(false);
        var shape = file.InputShape(file.Inputs[0].Name);
        if (!shape.Skip(1).SequenceEqual(new long[] { InputSize, InputSize, 3 }))
            throw new InvalidDataException($"{file.Path}: input [{string.Join(", ", shape)}] is not faceres' [N, 224, 224, 3].");
        if (!file.OutputNames.Contains(DescriptorOutput))
            throw new InvalidDataException($"{file.Path}: no '{DescriptorOutput}' output.");
        return new FaceResModel(new TfjsTorchGraph(file, "faceres", device));
    }

    /// <param name="rgb255">[N, 3, 224, 224] RGB 0..255</param>
    /// <returns>[N, 1024] descriptor (non-negative pooled features)</returns>
    public Tensor Descriptor(Tensor rgb255) => graph.Run(rgb255, DescriptorOutput);

    /// <summary>Gender score [N, 1] (sigmoid) and age distribution [N, 100] of the same input.</summary>
    public (Tensor Gender, Tensor Age) AgeGender(Tensor rgb255) => (graph.Run(rgb255, GenderOutput), graph.Run(rgb255, AgeOutput));

    public void Dispose() => graph.Dispose();
}

using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity.FaceRes;

/// <summary>
/// @vladmandic/human's face description net (<c>faceres.json</c>, MIT; a MobileNet with age and gender heads whose
/// global-average-pooled features <c>global_pooling/Mean</c> are human's 1024-D face descriptor), run by
/// <see cref="TfjsGraphExecutor"/> with its weights bound by graph node name (strict: the age and gender heads run too, so
/// every weight is used). Input 224² RGB in 0..255, as human feeds it (its 0..1 face tensor × 255).
/// </summary>
public sealed class FaceResModel : IDisposable
{
    public const string ModelFile = "faceres.json";
    public const int InputSize = 224;
    public const string DescriptorOutput = "global_pooling/Mean";
    public const string GenderOutput = "gender_pred/Sigmoid";
    public const string AgeOutput = "age_pred/Softmax";
    private readonly TfjsGraphExecutor graph;

    private FaceResModel(TfjsGraphExecutor graph) => this.graph = graph;

    public static async Task<FaceResModel> LoadAsync(string folder, Device device, CancellationToken ct)
    {
        var file = await TfjsGraphModelFile.LoadAsync(Path.Combine(folder, ModelFile), ct).ConfigureAwait(false);
        var shape = file.InputShape();
        if (!shape.Skip(1).SequenceEqual(new long[] { InputSize, InputSize, 3 }))
            throw new InvalidDataException($"{file.Path}: input [{string.Join(", ", shape)}] is not faceres' [N, 224, 224, 3].");
        if (!file.SignatureOutputs.Values.Contains(DescriptorOutput))
            throw new InvalidDataException($"{file.Path}: no '{DescriptorOutput}' output.");
        return new FaceResModel(new TfjsGraphExecutor(file, "faceres", device));
    }

    /// <param name="rgb255">[N, 3, 224, 224] RGB 0..255</param>
    /// <returns>[N, 1024] descriptor (non-negative pooled features)</returns>
    public Tensor Descriptor(Tensor rgb255) => Run(rgb255, DescriptorOutput)[0];

    /// <summary>Gender score [N, 1] (sigmoid) and age distribution [N, 100] of the same input.</summary>
    public (Tensor Gender, Tensor Age) AgeGender(Tensor rgb255)
    {
        var outs = Run(rgb255, GenderOutput, AgeOutput);
        return (outs[0], outs[1]);
    }

    /// <param name="rgb255">[N, 3, 224, 224] NCHW, viewed as the graph's NHWC input</param>
    private Tensor[] Run(Tensor rgb255, params string[] outputs)
    {
        using var nhwc = rgb255.to(graph.Device).permute(0, 2, 3, 1); // [N, 224, 224, 3]
        return graph.Execute(nhwc, outputs);
    }

    public void Dispose() => graph.Dispose();
}

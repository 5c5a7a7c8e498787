using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>
/// The MediaPipe FaceMesh TFJS graph (plain or attention) run in TorchSharp by <see cref="TfjsGraphExecutor"/>:
/// every op of the original graph, weights bound by their graph node names (strict). Input: a 192x192 RGB crop
/// scaled to 0..1, NHWC.
/// </summary>
public sealed class FaceMeshNetwork : IDisposable
{
    public const int InputSize = 192;

    /// <summary>The graph file of <paramref name="variant"/> (found by <see cref="HumanModelsLocator"/>).</summary>
    public static string ModelFile(FaceMeshVariant variant) => variant == FaceMeshVariant.Attention ? "facemesh-attention.json" : "facemesh.json";
    private readonly TfjsGraphExecutor graph;
    private readonly string[] outputNodes;

    public FaceMeshVariant Variant { get; }
    public string BackendName => Variant == FaceMeshVariant.Attention ? "facemesh-attention" : "facemesh";

    private FaceMeshNetwork(TfjsGraphExecutor graph, FaceMeshVariant variant)
    {
        this.graph = graph; Variant = variant;
        // Output nodes by signature key, or by node name where the converted signature has no key (checked
        // against the upstream run: Identity_1/_5 are the image-left/-right eye regions, Identity_2/_6 the irises).
        outputNodes = variant == FaceMeshVariant.Attention
            ? new[] { "output_mesh_identity", "output_faceflag", "output_lips", "Identity_1", "Identity_5", "Identity_2", "Identity_6" }
                .Select(graph.OutputNode).ToArray()
            : new[] { "output_mesh", "output_faceflag" }.Select(graph.OutputNode).ToArray();
    }

    public static async Task<FaceMeshNetwork> LoadAsync(string modelJsonPath, FaceMeshVariant variant, Device device, CancellationToken ct)
    {
        var graph = await TfjsGraphExecutor.LoadAsync(modelJsonPath, Path.GetFileName(modelJsonPath), device, ct).ConfigureAwait(false);
        try { return new FaceMeshNetwork(graph, variant); }
        catch { graph.Dispose(); throw; }
    }

    /// <summary>Runs the graph on <paramref name="crop01"/> [1, 192, 192, 3] (RGB 0..1, NHWC).</summary>
    public FaceMeshRawOutput Run(Tensor crop01)
    {
        if (crop01.dim() != 4 || crop01.shape[0] != 1 || crop01.shape[1] != InputSize || crop01.shape[2] != InputSize || crop01.shape[3] != 3)
            throw new ArgumentException($"FaceMesh input must be [1, {InputSize}, {InputSize}, 3], got [{string.Join(", ", crop01.shape)}].", nameof(crop01));
        using var scope = torch.NewDisposeScope();
        var outs = graph.Execute(crop01.to(graph.Device), outputNodes);
        float[] F(int i) => outs[i].cpu().to_type(ScalarType.Float32).flatten().data<float>().ToArray();
        return Variant == FaceMeshVariant.Attention
            ? new FaceMeshRawOutput(F(0), F(1)[0], F(2), F(3), F(4), F(5), F(6))
            : new FaceMeshRawOutput(F(0), F(1)[0], null, null, null, null, null);
    }

    /// <summary>
    /// The raw outputs for a signature output key or node name (parity tests), flattened.
    /// </summary>
    public float[] RunNode(Tensor crop01, string outputKeyOrNode)
    {
        using var scope = torch.NewDisposeScope();
        var outs = graph.Execute(crop01.to(graph.Device), new[] { graph.OutputNode(outputKeyOrNode) });
        return outs[0].cpu().to_type(ScalarType.Float32).flatten().data<float>().ToArray();
    }

    public void Dispose() => graph.Dispose();
}

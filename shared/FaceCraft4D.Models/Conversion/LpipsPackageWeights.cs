using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Models.Conversion;

/// <summary>
/// Builds the lpips package's <c>LPIPS(net='vgg')</c> state dict from the lpips-sources prior's two files: torchvision VGG16
/// <c>features.{i}.weight|bias</c> become <c>net.slice{k}.{i}.*</c> (slices 1-5 hold the convolutions 0,2 | 5,7 |
/// 10,12,14 | 17,19,21 | 24,26,28, the feature indices kept), <c>lin{k}.model.1.weight</c> are copied, and the
/// package's fixed <c>scaling_layer.shift</c> (-0.030, -0.088, -0.188) and <c>scale</c> (0.458, 0.448, 0.450) buffers
/// [1,3,1,1] are added.
/// </summary>
public static class LpipsPackageWeights
{
    public const string TrunkFile = "trunk.safetensors";
    public const string LinFile = "lin.safetensors";

    private static readonly int[][] Slices = [[0, 2], [5, 7], [10, 12, 14], [17, 19, 21], [24, 26, 28]];

    /// <summary>Writes <paramref name="destination"/> from the folder holding <see cref="TrunkFile"/> and <see cref="LinFile"/>.</summary>
    public static async Task WriteAsync(string lpipsFolder, string destination, CancellationToken cancellationToken)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using (var trunk = await SafeTensorsFile.OpenAsync(Path.Combine(lpipsFolder, TrunkFile), cancellationToken).ConfigureAwait(false))
            {
                for (int s = 0; s < Slices.Length; s++)
                    foreach (int i in Slices[s])
                        foreach (var part in new[] { "weight", "bias" })
                            tensors[$"net.slice{s + 1}.{i}.{part}"] = await Read(trunk, $"features.{i}.{part}", cancellationToken).ConfigureAwait(false);
            }
            using (var lin = await SafeTensorsFile.OpenAsync(Path.Combine(lpipsFolder, LinFile), cancellationToken).ConfigureAwait(false))
            {
                for (int k = 0; k < 5; k++)
                    tensors[$"lin{k}.model.1.weight"] = await Read(lin, $"lin{k}.model.1.weight", cancellationToken).ConfigureAwait(false);
            }
            tensors["scaling_layer.shift"] = torch.tensor(new[] { -0.030f, -0.088f, -0.188f }).view(1, 3, 1, 1);
            tensors["scaling_layer.scale"] = torch.tensor(new[] { 0.458f, 0.448f, 0.450f }).view(1, 3, 1, 1);
            await SafeTensorsWriter.WriteAsync(destination, tensors,
                new Dictionary<string, string> { ["format"] = "pt", ["fc4d_converted_from"] = $"{TrunkFile} + {LinFile}" }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static Task<Tensor> Read(SafeTensorsFile file, string name, CancellationToken cancellationToken) =>
        file.Entries.ContainsKey(name)
            ? file.ReadTensorAsync(name, cancellationToken: cancellationToken)
            : throw new InvalidDataException($"{file.Path}: '{name}' missing (expected torchvision VGG16 / lpips v0.1 names).");
}

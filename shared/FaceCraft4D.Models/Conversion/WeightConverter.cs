using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Models.Conversion;

/// <summary>
/// Turns an official file into what the loaders read (<see cref="ConversionKinds"/>): copies safetensors and configs
/// (checking that a <c>.safetensors</c> parses), converts PyTorch checkpoints to safetensors with the official key names.
/// </summary>
public sealed class WeightConverter
{
    /// <summary>Writes <paramref name="destination"/> from <paramref name="source"/> (a file, or a prior folder for derived kinds) by <paramref name="kind"/>.</summary>
    public async Task ConvertAsync(string source, string destination, string kind, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        switch (kind)
        {
            case ConversionKinds.Copy:
                await CopyAsync(source, destination, cancellationToken).ConfigureAwait(false);
                if (destination.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                    await CheckSafeTensorsAsync(destination, cancellationToken).ConfigureAwait(false);
                break;
            case ConversionKinds.PthToSafeTensors:
                await WriteAsync(await PyTorchCheckpoint.ReadStateDictAsync(source, cancellationToken).ConfigureAwait(false), destination, source, cancellationToken).ConfigureAwait(false);
                break;
            case ConversionKinds.PthFlattenNested:
                await WriteAsync(await PyTorchCheckpoint.ReadNestedAsync(source, cancellationToken).ConfigureAwait(false), destination, source, cancellationToken).ConfigureAwait(false);
                break;
            case ConversionKinds.LpipsVgg16FromParts:
                await LpipsPackageWeights.WriteAsync(source, destination, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new NotSupportedException($"Unknown conversion '{kind}'.");
        }
    }

    /// <summary>Parses the header of a safetensors file; throws <see cref="InvalidDataException"/> when malformed.</summary>
    public static async Task<int> CheckSafeTensorsAsync(string path, CancellationToken cancellationToken)
    {
        using var file = await SafeTensorsFile.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        return file.Entries.Count;
    }

    private static async Task WriteAsync(Dictionary<string, Tensor> tensors, string destination, string source, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = new Dictionary<string, string> { ["format"] = "pt", ["fc4d_converted_from"] = Path.GetFileName(source) };
            await SafeTensorsWriter.WriteAsync(destination, tensors, metadata, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static async Task CopyAsync(string source, string destination, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        await using var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        await input.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
    }
}

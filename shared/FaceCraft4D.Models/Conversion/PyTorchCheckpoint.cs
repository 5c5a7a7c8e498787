using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace FaceCraft4D.Models.Conversion;

/// <summary>
/// Reads a PyTorch <c>torch.save</c> file: the zip format (<c>.pth</c>, <c>.ckpt</c>, <c>pytorch_model.bin</c>) with
/// TorchSharp.PyBridge's restricted unpickler, the legacy pre-1.6 format with <see cref="LegacyTorchCheckpoint"/>
/// (tensors, dicts, OrderedDicts only; no code runs in either). Pickled whole networks (PanoHead's <c>.pkl</c>) are
/// not state dicts and are refused with a pointer to the documented recipe.
/// </summary>
public static class PyTorchCheckpoint
{
    /// <summary>The flat state dict (name → tensor). Nested dicts are rejected; use <see cref="ReadNestedAsync"/>.</summary>
    public static async Task<Dictionary<string, Tensor>> ReadStateDictAsync(string path, CancellationToken cancellationToken)
    {
        var root = await UnpickleAsync(path, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in root)
        {
            var key = entry.Key?.ToString() ?? throw new InvalidDataException($"{path}: a key is null.");
            if (entry.Value is Tensor t) result[key] = t;
            else if (entry.Value is IDictionary)
                throw new InvalidDataException($"{path}: '{key}' is a nested dictionary; this file holds several state dicts (conversion '{Manifest.ConversionKinds.PthFlattenNested}').");
        }
        if (result.Count == 0) throw new InvalidDataException($"{path}: no tensors found (is it a state dict?).");
        return result;
    }

    /// <summary>
    /// Every tensor of a checkpoint made of state dicts, as <c>{part}.{key}</c> with a leading <c>module.</c> removed
    /// from the inner keys (DataParallel); top-level tensors keep their names.
    /// </summary>
    public static async Task<Dictionary<string, Tensor>> ReadNestedAsync(string path, CancellationToken cancellationToken)
    {
        var root = await UnpickleAsync(path, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in root)
        {
            var part = entry.Key?.ToString() ?? throw new InvalidDataException($"{path}: a key is null.");
            switch (entry.Value)
            {
                case Tensor t:
                    result[part] = t;
                    break;
                case IDictionary inner:
                    foreach (DictionaryEntry e in inner)
                        if (e.Value is Tensor v)
                        {
                            var key = e.Key?.ToString() ?? string.Empty;
                            if (key.StartsWith("module.", StringComparison.Ordinal)) key = key["module.".Length..];
                            result[$"{part}.{key}"] = v;
                        }
                    break;
            }
        }
        if (result.Count == 0) throw new InvalidDataException($"{path}: no tensors found.");
        return result;
    }

    private static Task<Hashtable> UnpickleAsync(string path, CancellationToken cancellationToken) => Task.Run(() =>
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var signature = new byte[4];
        stream.ReadExactly(signature);
        stream.Position = 0;
        if (signature is not [0x50, 0x4b, 0x03, 0x04])
        {
            if (LegacyTorchCheckpoint.Looks(signature))
                return LegacyTorchCheckpoint.Read(stream);
            throw new InvalidDataException(
                $"{path}: neither a zip-format nor a legacy torch.save file (a pickled network?). Convert it to safetensors " +
                "with the recipe in infra/models/README.md and import the result.");
        }
        try
        {
            return PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is NotImplementedException or InvalidCastException or Razorvine.Pickle.PickleException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{path}: cannot read the checkpoint as a state dict ({e.Message}).", e);
        }
    }, cancellationToken);
}

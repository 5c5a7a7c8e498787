using FaceCraft4D.Graphics.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>What <see cref="NamedWeights.Load"/> did.</summary>
/// <param name="Loaded">Tensors copied into the module.</param>
/// <param name="Missing">Module tensors the file lacks (kept as initialised).</param>
/// <param name="Unexpected">File tensors the module has no place for.</param>
public sealed record WeightLoadReport(int Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected);

/// <summary>
/// Moves a module's state (parameters and persistent buffers, by their dotted names) to and from safetensors. Load
/// is strict by default: every module tensor must be in the file with the same shape, and the file may hold nothing
/// else (except names matched by <c>ignore</c>), so a converted checkpoint either loads completely or fails clearly.
/// </summary>
public static class NamedWeights
{
    /// <summary>The module's state as a safetensors file (float tensors as stored).</summary>
    public static SafetensorsFile Save(nn.Module module, string? format = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var file = new SafetensorsFile();
        if (format is not null) file.Metadata["format"] = format;
        foreach (var (name, tensor) in module.state_dict()) file.Add(name, tensor);
        return file;
    }

    /// <summary>Copies the file's tensors into the module by name (converted to each tensor's dtype and device).</summary>
    /// <exception cref="InvalidDataException">Strict and something is missing, unexpected or of another shape.</exception>
    public static WeightLoadReport Load(nn.Module module, SafetensorsFile file, bool strict = true, Func<string, bool>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(file);
        var state = module.state_dict();
        var missing = new List<string>();
        var wrongShape = new List<string>();
        int loaded = 0;
        using (torch.no_grad())
        {
            foreach (var (name, target) in state)
            {
                if (!file.Contains(name))
                {
                    missing.Add(name);
                    continue;
                }
                var entry = file[name];
                if (!entry.Shape.SequenceEqual(target.shape))
                {
                    wrongShape.Add($"{name}: file [{string.Join(", ", entry.Shape)}], module [{string.Join(", ", target.shape)}]");
                    continue;
                }
                using var source = entry.ToTorch(target.device, target.dtype);
                target.copy_(source);
                loaded++;
            }
        }
        var unexpected = file.Names.Where(n => !state.ContainsKey(n) && !(ignore?.Invoke(n) ?? false)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0 || wrongShape.Count > 0))
        {
            string List(IEnumerable<string> items) => string.Join(", ", items.Take(8)) + (items.Count() > 8 ? ", ..." : "");
            throw new InvalidDataException(
                $"Weights do not match the network: {missing.Count} missing ({List(missing)}), {unexpected.Count} unexpected ({List(unexpected)}), " +
                $"{wrongShape.Count} of another shape ({List(wrongShape)}).");
        }
        return new WeightLoadReport(loaded, missing, unexpected);
    }
}

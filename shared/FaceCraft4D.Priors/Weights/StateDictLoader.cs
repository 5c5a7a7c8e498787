using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Weights;

/// <summary>
/// Strict loading of safetensors weights into a TorchSharp module by parameter name (the module's
/// <c>state_dict()</c> names, which follow the official checkpoints). Every module key must be present with the same
/// shape and every file key must be consumed; otherwise a <see cref="WeightLoadException"/> names all offenders
/// before anything is copied. Stored dtypes are converted to the module tensor's dtype (e.g. F16 file into F32 module).
/// </summary>
public static class StateDictLoader
{
    /// <summary>Checks names and shapes only; returns the problems (empty lists when everything fits).</summary>
    public static (List<string> Missing, List<string> Unexpected, List<ShapeMismatch> Shapes, List<string> Ignored) Compare(
        IReadOnlyDictionary<string, long[]> moduleShapes, IReadOnlyDictionary<string, SafeTensorEntry> fileEntries, WeightLoadOptions? options = null)
    {
        options ??= new WeightLoadOptions();
        var missing = new List<string>();
        var unexpected = new List<string>();
        var ignored = new List<string>();
        var shapes = new List<ShapeMismatch>();
        var fileByModuleKey = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        foreach (var (fileKey, entry) in fileEntries)
        {
            if (!fileKey.StartsWith(options.FileKeyPrefix, StringComparison.Ordinal)) { ignored.Add(fileKey); continue; }
            if (options.IgnoreKey?.Invoke(fileKey) == true) { ignored.Add(fileKey); continue; }
            fileByModuleKey[fileKey[options.FileKeyPrefix.Length..]] = entry;
        }
        foreach (var (key, shape) in moduleShapes)
        {
            if (!fileByModuleKey.TryGetValue(key, out var entry)) { missing.Add(options.FileKeyPrefix + key); continue; }
            if (!shape.SequenceEqual(entry.Shape)) shapes.Add(new ShapeMismatch(options.FileKeyPrefix + key, shape, entry.Shape));
        }
        foreach (var key in fileByModuleKey.Keys)
            if (!moduleShapes.ContainsKey(key)) unexpected.Add(options.FileKeyPrefix + key);
        missing.Sort(StringComparer.Ordinal);
        unexpected.Sort(StringComparer.Ordinal);
        return (missing, unexpected, shapes, ignored);
    }

    /// <summary>Loads <paramref name="source"/> into <paramref name="module"/> (strict; see type remarks).</summary>
    public static async Task<WeightLoadReport> LoadAsync(nn.Module module, SafeTensorsSource source, string modelName,
        WeightLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new WeightLoadOptions();
        var state = module.state_dict();
        var moduleShapes = state.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);
        var (missing, unexpected, shapes, ignored) = Compare(moduleShapes, source.Entries, options);
        if (missing.Count > 0 || unexpected.Count > 0 || shapes.Count > 0)
            throw new WeightLoadException(modelName, missing, unexpected, shapes, source.Paths);

        long count = 0;
        foreach (var (key, target) in state)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var stored = await source.ReadTensorAsync(options.FileKeyPrefix + key, target.device, target.dtype, cancellationToken).ConfigureAwait(false);
            using (torch.no_grad()) target.copy_(stored);
            count += target.numel();
        }
        return new WeightLoadReport(modelName, state.Keys.ToList(), ignored, count);
    }
}

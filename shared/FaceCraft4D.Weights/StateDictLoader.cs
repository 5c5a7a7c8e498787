using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights;

/// <summary>
/// The one strict loader of stored weights into a TorchSharp module by parameter name (the module's
/// <c>state_dict()</c> names, which follow the official checkpoints). Stored keys outside
/// <see cref="WeightLoadOptions.FileKeyPrefix"/> or matched by <see cref="WeightLoadOptions.IgnoreKey"/> are skipped;
/// the prefix is stripped from the rest. Then every module key must be present with the same shape and every remaining
/// stored key must be consumed; otherwise a <see cref="WeightLoadException"/> names all missing, unexpected and
/// mis-shaped keys before anything is copied. Stored dtypes are converted to the module tensor's dtype and device
/// (e.g. an F16 file into an F32 module). Sources: a lazy <see cref="SafeTensorsSource"/> (files, shards), an
/// <see cref="InMemorySafeTensors"/>, or an in-memory tensor dictionary.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Checks names and shapes only; returns the problems (empty lists when everything fits).</summary>
    /// <param name="moduleShapes">module key → shape</param>
    /// <param name="storedShapes">stored key (with prefix) → shape</param>
    public static (List<string> Missing, List<string> Unexpected, List<ShapeMismatch> Shapes, List<string> Ignored) Compare(
        IReadOnlyDictionary<string, long[]> moduleShapes, IEnumerable<KeyValuePair<string, long[]>> storedShapes, WeightLoadOptions? options = null)
    {
        options ??= new WeightLoadOptions();
        var missing = new List<string>();
        var unexpected = new List<string>();
        var ignored = new List<string>();
        var shapes = new List<ShapeMismatch>();
        var storedByModuleKey = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (storedKey, shape) in storedShapes)
        {
            if (!storedKey.StartsWith(options.FileKeyPrefix, StringComparison.Ordinal)) { ignored.Add(storedKey); continue; }
            if (options.IgnoreKey?.Invoke(storedKey) == true) { ignored.Add(storedKey); continue; }
            storedByModuleKey[storedKey[options.FileKeyPrefix.Length..]] = shape;
        }
        foreach (var (key, shape) in moduleShapes)
        {
            if (!storedByModuleKey.TryGetValue(key, out var stored)) { missing.Add(options.FileKeyPrefix + key); continue; }
            if (!shape.SequenceEqual(stored)) shapes.Add(new ShapeMismatch(options.FileKeyPrefix + key, shape, stored));
        }
        foreach (var key in storedByModuleKey.Keys)
            if (!moduleShapes.ContainsKey(key)) unexpected.Add(options.FileKeyPrefix + key);
        missing.Sort(StringComparer.Ordinal);
        unexpected.Sort(StringComparer.Ordinal);
        ignored.Sort(StringComparer.Ordinal);
        return (missing, unexpected, shapes, ignored);
    }

    /// <summary>Loads lazily from safetensors files (strict; see type remarks).</summary>
    public static Task<WeightLoadReport> LoadAsync(nn.Module module, SafeTensorsSource source, string modelName,
        WeightLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return LoadAsync(module, new SourceTensors(source), modelName, options, cancellationToken).AsTask();
    }

    /// <summary>Loads from a safetensors file held in memory (strict; see type remarks).</summary>
    /// <param name="sources">What the file is, for messages (default: the model name).</param>
    public static WeightLoadReport Load(nn.Module module, InMemorySafeTensors file, string modelName,
        WeightLoadOptions? options = null, IReadOnlyList<string>? sources = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        return RunSynchronously(LoadAsync(module, new InMemoryFileTensors(file, sources ?? [modelName]), modelName, options, CancellationToken.None));
    }

    /// <summary>Loads from tensors already in memory, e.g. a checkpoint converted from another naming (strict; see type remarks).</summary>
    /// <param name="sources">Where the tensors came from, for messages (default: the model name).</param>
    public static WeightLoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string modelName,
        WeightLoadOptions? options = null, IReadOnlyList<string>? sources = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return RunSynchronously(LoadAsync(module, new DictionaryTensors(tensors, sources ?? [modelName]), modelName, options, CancellationToken.None));
    }

    private static async ValueTask<WeightLoadReport> LoadAsync(nn.Module module, IStoredTensors stored, string modelName,
        WeightLoadOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        options ??= new WeightLoadOptions();
        var state = module.state_dict();
        var moduleShapes = state.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);
        var (missing, unexpected, shapes, ignored) = Compare(moduleShapes, stored.Shapes, options);
        if (missing.Count > 0 || unexpected.Count > 0 || shapes.Count > 0)
            throw new WeightLoadException(modelName, missing, unexpected, shapes, stored.Sources);

        long count = 0;
        foreach (var (key, target) in state)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await stored.CopyIntoAsync(options.FileKeyPrefix + key, target, cancellationToken).ConfigureAwait(false);
            count += target.numel();
        }
        return new WeightLoadReport(modelName, state.Keys.ToList(), ignored, count);
    }

    /// <summary>In-memory sources complete every copy synchronously.</summary>
    private static WeightLoadReport RunSynchronously(ValueTask<WeightLoadReport> load) => load.AsTask().GetAwaiter().GetResult();
}

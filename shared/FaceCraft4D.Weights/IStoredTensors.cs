using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights;

/// <summary>
/// What <see cref="StateDictLoader"/> loads from: stored tensor shapes by key (known before any data is read) and a copy
/// of one stored tensor into a module tensor (converted to its dtype and device). Implemented for a lazy
/// <see cref="SafeTensorsSource"/>, an <see cref="InMemorySafeTensors"/> and an in-memory tensor dictionary.
/// </summary>
internal interface IStoredTensors
{
    /// <summary>Files or descriptions named in error messages.</summary>
    IReadOnlyList<string> Sources { get; }

    /// <summary>Every stored key with its shape.</summary>
    IEnumerable<KeyValuePair<string, long[]>> Shapes { get; }

    /// <summary>Copies stored <paramref name="key"/> into <paramref name="target"/> (same shape, checked before).</summary>
    ValueTask CopyIntoAsync(string key, Tensor target, CancellationToken cancellationToken);
}

/// <summary>Lazy, positioned reads from safetensors files.</summary>
internal sealed class SourceTensors(SafeTensorsSource source) : IStoredTensors
{
    public IReadOnlyList<string> Sources => source.Paths;

    public IEnumerable<KeyValuePair<string, long[]>> Shapes => source.Entries.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Shape));

    public async ValueTask CopyIntoAsync(string key, Tensor target, CancellationToken cancellationToken)
    {
        using var stored = await source.ReadTensorAsync(key, target.device, target.dtype, cancellationToken).ConfigureAwait(false);
        using (torch.no_grad()) target.copy_(stored);
    }
}

/// <summary>A whole safetensors file in memory.</summary>
internal sealed class InMemoryFileTensors(InMemorySafeTensors file, IReadOnlyList<string> sources) : IStoredTensors
{
    public IReadOnlyList<string> Sources => sources;

    public IEnumerable<KeyValuePair<string, long[]>> Shapes => file.Tensors.Select(t => KeyValuePair.Create(t.Name, t.Shape.ToArray()));

    public ValueTask CopyIntoAsync(string key, Tensor target, CancellationToken cancellationToken)
    {
        using var stored = file[key].ToTorch(target.device, target.dtype);
        using (torch.no_grad()) target.copy_(stored);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Tensors already in memory (e.g. a checkpoint converted from another naming); copy_ converts dtype and device.</summary>
internal sealed class DictionaryTensors(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyList<string> sources) : IStoredTensors
{
    public IReadOnlyList<string> Sources => sources;

    public IEnumerable<KeyValuePair<string, long[]>> Shapes => tensors.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.shape));

    public ValueTask CopyIntoAsync(string key, Tensor target, CancellationToken cancellationToken)
    {
        using (torch.no_grad()) target.copy_(tensors[key]);
        return ValueTask.CompletedTask;
    }
}

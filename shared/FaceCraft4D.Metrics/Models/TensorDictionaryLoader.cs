using FaceCraft4D.Priors.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Models;

/// <summary>
/// Strict copy of an in-memory state dict (e.g. a checkpoint converted from another naming) into a module: every module
/// key present with its shape and every given key used, otherwise <see cref="WeightLoadException"/> naming the offenders
/// before anything is copied (same contract as <see cref="StateDictLoader"/>).
/// </summary>
public static class TensorDictionaryLoader
{
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string modelName, IReadOnlyList<string> sources)
    {
        var state = module.state_dict();
        var missing = state.Keys.Where(k => !tensors.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var unexpected = tensors.Keys.Where(k => !state.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var shapes = state.Where(kv => tensors.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => new ShapeMismatch(kv.Key, kv.Value.shape, tensors[kv.Key].shape)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || shapes.Count > 0)
            throw new WeightLoadException(modelName, missing, unexpected, shapes, sources);
        using var _ = torch.no_grad();
        foreach (var (key, target) in state)
            target.copy_(tensors[key].to(target.dtype, target.device));
    }
}

using FaceCraft4D.Coin;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// COIN's ResNet-18 perceptual loss for one training run: the training targets never change, so each target's network
/// taps are computed once (<see cref="ResNet18PerceptualLoss.TargetFeatures"/>, keyed by the target tensor itself) and each
/// step sends only the render through the network, forward and backward (the uncached loss runs the target through both
/// as half of its batch). Same loss up to float rounding. Taps are kept up to <c>budgetBytes</c>; targets past it get
/// their taps computed per step (still without a backward pass). Not thread-safe: one instance per trainer.
/// </summary>
public sealed class TargetFeatureCachedLoss(ResNet18PerceptualLoss loss, long budgetBytes) : IPerceptualLoss, IDisposable
{
    private readonly Dictionary<Tensor, Tensor[]> cache = new(ReferenceEqualityComparer.Instance);

    /// <summary>Bytes of taps held.</summary>
    public long CachedBytes { get; private set; }

    /// <summary>Targets whose taps are held.</summary>
    public int CachedTargets => cache.Count;

    /// <inheritdoc />
    public string Name => loss.Name;

    /// <inheritdoc />
    public Tensor Loss(Tensor rendered, Tensor target, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (cache.TryGetValue(target, out var held)) return loss.Loss(rendered, held, mask);
        var features = loss.TargetFeatures(target);
        long bytes = features.Sum(f => f.NumberOfElements * f.ElementSize);
        if (CachedBytes + bytes > budgetBytes)
        {
            try
            {
                return loss.Loss(rendered, features, mask);
            }
            finally
            {
                foreach (var f in features) f.Dispose();
            }
        }
        // Held across the trainer's per-step dispose scopes until this instance is disposed.
        foreach (var f in features) f.DetachFromDisposeScope();
        cache[target] = features;
        CachedBytes += bytes;
        return loss.Loss(rendered, features, mask);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var f in cache.Values.SelectMany(t => t)) f.Dispose();
        cache.Clear();
        CachedBytes = 0;
    }
}

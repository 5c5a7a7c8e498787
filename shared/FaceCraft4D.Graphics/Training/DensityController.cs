using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Weights;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Training;

/// <summary>
/// 3DGS adaptive density control, binding-aware (GaussianAvatars): accumulates the view-space positional gradient
/// norm of visible Gaussians; clones small Gaussians and splits large ones whose average gradient exceeds the threshold
/// (children inherit the parent's triangle; split positions are sampled from the parent's Gaussian in its local frame);
/// prunes transparent, huge-on-screen and huge-in-world Gaussians, but never the last Gaussians of a triangle; resets
/// opacities periodically. Keeps the optimizer moments in sync.
/// </summary>
public sealed class DensityController : IDisposable
{
    private Tensor? _gradAccum, _denom, _maxRadii;

    /// <summary>Creates a controller.</summary>
    public DensityController(DensificationOptions options) => Options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The options.</summary>
    public DensificationOptions Options { get; }

    private void Ensure(long n, Device device)
    {
        if (_gradAccum is not null && _gradAccum.shape[0] == n) return;
        ResetStatistics(n, device);
    }

    /// <summary>Zeroes the statistics for N Gaussians.</summary>
    public void ResetStatistics(long n, Device device)
    {
        _gradAccum?.Dispose(); _denom?.Dispose(); _maxRadii?.Dispose();
        _gradAccum = torch.zeros(n, ScalarType.Float32, device).DetachFromDisposeScope();
        _denom = torch.zeros(n, ScalarType.Float32, device).DetachFromDisposeScope();
        _maxRadii = torch.zeros(n, ScalarType.Float32, device).DetachFromDisposeScope();
    }

    /// <summary>Adds the statistics of one rendered view (call after backward, before the optimizer step).</summary>
    public void Accumulate(RenderOutput output, int width, int height)
    {
        var means2d = output.Projection.Means2d;
        var grad = means2d.grad;
        long n = means2d.shape[0];
        Ensure(n, means2d.device);
        if (grad is null) return;
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var visible = output.Projection.Visible;
        var ndc = grad.to_type(ScalarType.Float32) * torch.tensor(new float[] { width * 0.5f, height * 0.5f }, device: grad.device);
        var norm = ndc.norm(1);
        var vf = visible.to_type(ScalarType.Float32);
        _gradAccum!.PlusInPlace(norm * vf);
        _denom!.PlusInPlace(vf);
        var r = output.Projection.Radii.max(1).values.to_type(ScalarType.Float32);
        _maxRadii!.copy_(torch.where(visible, torch.maximum(_maxRadii, r), _maxRadii));
    }

    /// <summary>Replaces the statistics (tests and tools): summed gradient norms, visible counts, max screen radii, each [N].</summary>
    internal void SetStatistics(Tensor gradAccum, Tensor denom, Tensor maxRadii)
    {
        _gradAccum?.Dispose(); _denom?.Dispose(); _maxRadii?.Dispose();
        _gradAccum = gradAccum.to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
        _denom = denom.to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
        _maxRadii = maxRadii.to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
    }

    /// <summary>Gaussians created (clones and split children) and removed (split parents and pruned) by the last <see cref="DensifyAndPrune"/>.</summary>
    public (long Added, long Removed) LastChange { get; private set; }

    /// <summary>Clone, split, then prune (3DGS densify_and_prune).</summary>
    /// <param name="model">The model whose parameters change.</param>
    /// <param name="optimizer">Adam holding the parameters under their <see cref="GaussianParameters"/> names.</param>
    /// <param name="sceneExtent">Scene radius (3DGS cameras_extent).</param>
    /// <param name="pruneLargeOnScreen">Also prune Gaussians that grew beyond <see cref="DensificationOptions.MaxScreenSize"/>.</param>
    /// <param name="generator">Random source for split positions.</param>
    public void DensifyAndPrune(IGaussianAvatar model, AdamOptimizer optimizer, double sceneExtent, bool pruneLargeOnScreen, torch.Generator generator)
    {
        var p = model.Parameters;
        Ensure(p.Count, p.Device);
        long before = p.Count;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var grads = (_gradAccum! / _denom!.ClampedMin(1)).nan_to_num();
            var worldMax = model.CanonicalWorldScales().max(1).values;
            var enough = grads.IsAtLeast(Options.GradientThreshold);
            double limit = Options.PercentDense * sceneExtent;
            var clone = enough.logical_and(worldMax.IsAtMost(limit));
            var split = enough.logical_and(worldMax.IsGreaterThan(limit));
            long budget = Options.MaxGaussians - p.Count;
            long wanted = clone.sum().item<long>() + split.sum().item<long>() * (Options.SplitCount - 1);
            if (wanted > budget)
            {
                // Keep the candidates with the largest gradients that fit.
                var candidate = clone.logical_or(split);
                var score = torch.where(candidate, grads, grads.FullLike(-1));
                long allowed = Math.Max(0, budget / Math.Max(1, Options.SplitCount - 1));
                var order = score.argsort(0, true);
                var allowedMask = torch.zeros_like(candidate);
                if (allowed > 0) HeldScalarOps.Hold(true.ToScalar(), held => allowedMask.index_fill_(0, order.narrow(0, 0, Math.Min(allowed, order.shape[0])), held));
                clone = clone.logical_and(allowedMask);
                split = split.logical_and(allowedMask);
            }
            long splitParents = split.sum().item<long>();
            var maxRadii = Densify(p, optimizer, clone, split, generator);
            long created = p.Count - before + splitParents;
            long beforePrune = p.Count;
            var prune = p.Opacities().IsLessThan(Options.MinOpacity);
            if (pruneLargeOnScreen)
            {
                var worldMaxAfter = model.CanonicalWorldScales().max(1).values;
                prune = prune.logical_or(maxRadii.IsGreaterThan(Options.MaxScreenSize)).logical_or(worldMaxAfter.IsGreaterThan(Options.MaxWorldScaleFraction * sceneExtent));
            }
            Prune(p, optimizer, prune);
            LastChange = (created, splitParents + beforePrune - p.Count);
        }
        ResetStatistics(p.Count, p.Device);
    }

    /// <summary>Appends clones and split children (split parents removed); returns the max screen radii aligned with the new set.</summary>
    private Tensor Densify(GaussianParameters p, AdamOptimizer optimizer, Tensor clone, Tensor split, torch.Generator generator)
    {
        long n = p.Count;
        int k = Options.SplitCount;
        var cloneIdx = clone.nonzero().flatten();
        var splitIdx = split.nonzero().flatten();
        var keepIdx = split.logical_not().nonzero().flatten();
        long added = cloneIdx.shape[0] + splitIdx.shape[0] * k;
        var radii = torch.cat(new[] { _maxRadii!.index_select(0, keepIdx), torch.zeros(added, ScalarType.Float32, _maxRadii.device) });
        if (added == 0) return radii;

        var appended = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in GaussianParameters.TrainableNames)
            appended[name] = p[name].detach().index_select(0, cloneIdx);

        // Split children: positions sampled from the parent Gaussian (local frame for bound models), scales shrunk by 0.8 k.
        var rep = splitIdx.repeat(k);
        var localScales = p.Scales().detach().index_select(0, rep);
        var samples = torch.randn(localScales.shape, generator: generator).to(localScales.dtype).to(localScales.device) * localScales;
        var rot = GaussianProjection.QuaternionToMatrix(p.Rotations.detach().index_select(0, rep));
        var childPos = torch.matmul(rot, samples.unsqueeze(-1)).squeeze(-1).Plus(p.Positions.detach().index_select(0, rep));
        var childLogScales = localScales.DividedBy(0.8 * k).log();
        var children = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            [GaussianParameters.PositionsName] = childPos,
            [GaussianParameters.LogScalesName] = childLogScales,
        };
        foreach (var name in GaussianParameters.TrainableNames)
            if (!children.ContainsKey(name)) children[name] = p[name].detach().index_select(0, rep);

        foreach (var name in GaussianParameters.TrainableNames)
        {
            var merged = torch.cat(new[] { p[name].detach().index_select(0, keepIdx), appended[name], children[name] });
            p.Replace(name, merged);
            optimizer.Restructure(name, p[name], keepIdx);
        }
        if (p.Binding is not null)
            p.ReplaceBinding(torch.cat(new[] { p.Binding.index_select(0, keepIdx), p.Binding.index_select(0, cloneIdx), p.Binding.index_select(0, rep) }));
        return radii;
    }

    private static void Prune(GaussianParameters p, AdamOptimizer optimizer, Tensor prune)
    {
        if (p.Binding is not null)
        {
            // GaussianAvatars: if every Gaussian of a triangle would go, keep them all.
            long faces = p.Binding.max().item<long>() + 1;
            var total = torch.bincount(p.Binding, null, faces);
            var removed = torch.bincount(p.Binding.masked_select(prune), null, faces);
            var faceSurvives = (total - removed).IsGreaterThan(0);
            prune = prune.logical_and(faceSurvives.index_select(0, p.Binding));
        }
        if (!prune.any().item<bool>()) return;
        var keep = prune.logical_not().nonzero().flatten();
        foreach (var name in GaussianParameters.TrainableNames)
        {
            p.Replace(name, p[name].detach().index_select(0, keep));
            optimizer.Restructure(name, p[name], keep);
        }
        if (p.Binding is not null) p.ReplaceBinding(p.Binding.index_select(0, keep));
    }

    /// <summary>3DGS opacity reset: opacities become min(opacity, 0.01) and their Adam moments are cleared.</summary>
    public static void ResetOpacity(GaussianParameters p, AdamOptimizer optimizer)
    {
        using var noGrad = torch.no_grad();
        double cap = Math.Log(0.01 / 0.99);
        p.OpacityLogits.ClampMaxInPlace(cap);
        optimizer.ResetMoments(GaussianParameters.OpacityLogitsName);
    }

    /// <summary>Writes the statistics (for checkpoints).</summary>
    public void WriteTo(InMemorySafeTensors file, long n, Device device, string prefix = "density.")
    {
        Ensure(n, device);
        file.Add(prefix + "grad_accum", _gradAccum!);
        file.Add(prefix + "denom", _denom!);
        file.Add(prefix + "max_radii", _maxRadii!);
    }

    /// <summary>Restores the statistics.</summary>
    public void ReadFrom(InMemorySafeTensors file, Device device, string prefix = "density.")
    {
        _gradAccum?.Dispose(); _denom?.Dispose(); _maxRadii?.Dispose();
        _gradAccum = file.GetTorch(prefix + "grad_accum", device).DetachFromDisposeScope();
        _denom = file.GetTorch(prefix + "denom", device).DetachFromDisposeScope();
        _maxRadii = file.GetTorch(prefix + "max_radii", device).DetachFromDisposeScope();
    }

    /// <summary>Disposes the statistics.</summary>
    public void Dispose()
    {
        _gradAccum?.Dispose(); _denom?.Dispose(); _maxRadii?.Dispose();
    }
}

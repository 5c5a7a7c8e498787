using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Training;

/// <summary>
/// Adam over named parameter tensors with one learning rate each (3DGS uses eps = 1e-15). Unlike a generic optimizer it
/// lets densification swap a parameter for a new tensor with a different first dimension while keeping the moments of
/// surviving rows (<see cref="Restructure"/>), and it serialises its state for checkpoints. Parameters are not owned.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    private sealed class Slot
    {
        public required Tensor Parameter;
        public required Tensor M;
        public required Tensor V;
        public long Step;
        public double LearningRate;
    }

    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();

    /// <summary>Creates an optimizer.</summary>
    public AdamOptimizer(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-15)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>Denominator epsilon.</summary>
    public double Epsilon { get; }

    /// <summary>Names in registration order.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>Registers a leaf tensor.</summary>
    public void Add(string name, Tensor parameter, double learningRate)
    {
        if (_slots.ContainsKey(name)) throw new ArgumentException($"Parameter '{name}' already registered.", nameof(name));
        _slots[name] = new Slot
        {
            Parameter = parameter,
            M = torch.zeros_like(parameter).DetachFromDisposeScope(),
            V = torch.zeros_like(parameter).DetachFromDisposeScope(),
            LearningRate = learningRate,
        };
        _order.Add(name);
    }

    /// <summary>The current tensor registered under a name.</summary>
    public Tensor Parameter(string name) => _slots[name].Parameter;

    /// <summary>Learning rate of a parameter.</summary>
    public double GetLearningRate(string name) => _slots[name].LearningRate;

    /// <summary>Sets the learning rate of a parameter.</summary>
    public void SetLearningRate(string name, double learningRate) => _slots[name].LearningRate = learningRate;

    /// <summary>Adam steps taken for a parameter.</summary>
    public long StepCount(string name) => _slots[name].Step;

    /// <summary>Clears all gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var s in _slots.Values)
        {
            using var g = s.Parameter.grad; // a new wrapper per read: disposed, not left to the finalizer
            g?.zero_();
        }
    }

    /// <summary>
    /// Update CPU float32 parameters in one fused SIMD pass each (<see cref="FusedAdamKernel"/>; default) instead of op by op
    /// (same formulas; results differ by float rounding). Other devices and dtypes always take the op-by-op path.
    /// </summary>
    public bool Fused { get; set; } = true;

    /// <summary>One Adam update of every parameter that has a gradient.</summary>
    public void Step() => Step(zeroGradients: false);

    /// <summary>
    /// One Adam update of every parameter that has a gradient; with <paramref name="zeroGradients"/> the gradients are zeroed
    /// afterwards (as <see cref="ZeroGrad"/>; in the same pass on the fused path).
    /// </summary>
    public void Step(bool zeroGradients)
    {
        using var noGrad = torch.no_grad();
        foreach (var name in _order)
        {
            var s = _slots[name];
            using var g = s.Parameter.grad;
            if (g is null) continue;
            s.Step++;
            double bc1 = 1 - Math.Pow(Beta1, s.Step);
            double bc2 = 1 - Math.Pow(Beta2, s.Step);
            if (Fused && FusedAdamKernel.Applies(s.Parameter, g, s.M, s.V))
            {
                FusedAdamKernel.Update(s.Parameter, g, s.M, s.V, Beta1, Beta2, -s.LearningRate / bc1, bc2, Epsilon, zeroGradients);
                continue;
            }
            // Every number operand is an explicit Scalar disposed after the call: an implicit one is unreferenced while
            // libtorch reads it, and a GC in between lets its finalizer free it (dotnet/TorchSharp#1434; seen here as
            // "Expected false to be true" from addcdiv_).
            using var beta1 = Beta1.ToScalar();
            using var oneMinusBeta1 = (1 - Beta1).ToScalar();
            using var beta2 = Beta2.ToScalar();
            using var oneMinusBeta2 = (1 - Beta2).ToScalar();
            using var biasCorrection2 = bc2.ToScalar();
            using var epsilon = Epsilon.ToScalar();
            using var one = 1.ToScalar();
            using var step = (-s.LearningRate / bc1).ToScalar();
            s.M.mul_(beta1).add_(g, oneMinusBeta1);
            s.V.mul_(beta2).addcmul_(g, g, oneMinusBeta2);
            using var scope = torch.NewDisposeScope();
            var denom = s.V.div(biasCorrection2).sqrt_().add_(epsilon, one);
            s.Parameter.addcdiv_(s.M, denom, step);
            if (zeroGradients) g.zero_();
        }
    }

    /// <summary>
    /// Swaps the tensor of <paramref name="name"/> for <paramref name="replacement"/> whose rows are the rows
    /// <paramref name="keep"/> of the old tensor followed by new rows; moments of kept rows are kept, new rows start at zero.
    /// </summary>
    public void Restructure(string name, Tensor replacement, Tensor keep)
    {
        var s = _slots[name];
        long added = replacement.shape[0] - keep.shape[0];
        if (added < 0) throw new ArgumentException("Replacement has fewer rows than the kept rows.");
        using var noGrad = torch.no_grad();
        Tensor Rebuild(Tensor old)
        {
            var kept = old.index_select(0, keep);
            var shape = old.shape.ToArray();
            shape[0] = added;
            return torch.cat(new[] { kept, torch.zeros(shape, old.dtype, old.device) }).DetachFromDisposeScope();
        }
        var m = Rebuild(s.M); var v = Rebuild(s.V);
        s.M.Dispose(); s.V.Dispose();
        s.M = m; s.V = v;
        s.Parameter = replacement;
    }

    /// <summary>Points a name at a new tensor of any shape with zero moments (checkpoint restore loads the moments next).</summary>
    public void Reset(string name, Tensor replacement)
    {
        var s = _slots[name];
        s.M.Dispose(); s.V.Dispose();
        s.M = torch.zeros_like(replacement).DetachFromDisposeScope();
        s.V = torch.zeros_like(replacement).DetachFromDisposeScope();
        s.Parameter = replacement;
        s.Step = 0;
    }

    /// <summary>Points a name at a new tensor of the same shape, keeping the moments (e.g. after restoring data).</summary>
    public void Rebind(string name, Tensor replacement)
    {
        var s = _slots[name];
        if (!replacement.shape.SequenceEqual(s.M.shape)) throw new ArgumentException("Shape differs; use Restructure.");
        s.Parameter = replacement;
    }

    /// <summary>Zeroes the moments of a parameter (3DGS does this for opacities when it resets them).</summary>
    public void ResetMoments(string name)
    {
        using var noGrad = torch.no_grad();
        _slots[name].M.zero_();
        _slots[name].V.zero_();
    }

    /// <summary>Writes moments, step counts and learning rates under <paramref name="prefix"/>.</summary>
    public void WriteTo(InMemorySafeTensors file, string prefix = "adam.")
    {
        foreach (var name in _order)
        {
            var s = _slots[name];
            file.Add($"{prefix}{name}.m", s.M);
            file.Add($"{prefix}{name}.v", s.V);
            file.Metadata[$"{prefix}{name}.step"] = s.Step.ToString(System.Globalization.CultureInfo.InvariantCulture);
            file.Metadata[$"{prefix}{name}.lr"] = s.LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Restores state written by <see cref="WriteTo"/> for every registered name (shapes must match the current parameters).</summary>
    public void ReadFrom(InMemorySafeTensors file, string prefix = "adam.")
    {
        foreach (var name in _order)
        {
            var s = _slots[name];
            var m = file.GetTorch($"{prefix}{name}.m", s.Parameter.device, s.Parameter.dtype);
            var v = file.GetTorch($"{prefix}{name}.v", s.Parameter.device, s.Parameter.dtype);
            if (!m.shape.SequenceEqual(s.Parameter.shape))
                throw new InvalidDataException($"Checkpoint moments of '{name}' have shape [{string.Join(",", m.shape)}], parameter is [{string.Join(",", s.Parameter.shape)}].");
            s.M.Dispose(); s.V.Dispose();
            s.M = m.DetachFromDisposeScope(); s.V = v.DetachFromDisposeScope();
            s.Step = long.Parse(file.Metadata[$"{prefix}{name}.step"], System.Globalization.CultureInfo.InvariantCulture);
            s.LearningRate = double.Parse(file.Metadata[$"{prefix}{name}.lr"], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Disposes the moments (not the parameters).</summary>
    public void Dispose()
    {
        foreach (var s in _slots.Values) { s.M.Dispose(); s.V.Dispose(); }
        _slots.Clear();
    }
}

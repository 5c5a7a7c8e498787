using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Tracking;

/// <summary>
/// Adam (Kingma and Ba) for one parameter tensor [R, D] whose rows may be stepped separately (the tracker's per-frame
/// parameters: a global-refinement step touches only the sampled frame's row), with a learning rate per column and a
/// step count per row for the bias correction. Not owned: the parameter; owned: the moments.
/// </summary>
public sealed class RowAdam : IDisposable
{
    private readonly Tensor m, v, rates;
    private readonly long[] steps;
    private readonly double beta1, beta2, epsilon;

    /// <summary>Creates the optimizer for <paramref name="parameter"/> (a leaf that requires grad).</summary>
    /// <param name="parameter">[R, D]</param>
    /// <param name="columnRates">Learning rate of each of the D columns.</param>
    /// <param name="beta1">First-moment decay.</param>
    /// <param name="beta2">Second-moment decay.</param>
    /// <param name="epsilon">Denominator epsilon.</param>
    public RowAdam(Tensor parameter, double[] columnRates, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        Parameter = parameter ?? throw new ArgumentNullException(nameof(parameter));
        if (parameter.ndim != 2 || parameter.shape[1] != columnRates.Length) throw new ArgumentException("Parameter must be [R, D] with D rates.");
        m = torch.zeros_like(parameter).DetachFromDisposeScope();
        v = torch.zeros_like(parameter).DetachFromDisposeScope();
        rates = torch.tensor(columnRates, parameter.dtype, parameter.device).DetachFromDisposeScope();
        steps = new long[parameter.shape[0]];
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /// <summary>The parameter.</summary>
    public Tensor Parameter { get; }

    /// <summary>Learning-rate factor applied to every column (e.g. for a refinement phase).</summary>
    public double RateFactor { get; set; } = 1.0;

    /// <summary>Steps every row with its gradient, then clears the gradient.</summary>
    public void Step() => Step(Enumerable.Range(0, steps.Length).ToArray());

    /// <summary>Steps the given rows with their gradients (the other rows and their moments are untouched), then clears the gradient.</summary>
    public void Step(IReadOnlyList<int> rows)
    {
        var grad = Parameter.grad;
        if (grad is null) return;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var index = torch.tensor(rows.Select(r => (long)r).ToArray(), ScalarType.Int64, Parameter.device);
            foreach (var r in rows) steps[r]++;
            var bias1 = torch.tensor(rows.Select(r => 1 - Math.Pow(beta1, steps[r])).ToArray(), Parameter.dtype, Parameter.device).unsqueeze(1);
            var bias2 = torch.tensor(rows.Select(r => 1 - Math.Pow(beta2, steps[r])).ToArray(), Parameter.dtype, Parameter.device).unsqueeze(1);
            var g = grad.index_select(0, index);
            var mr = m.index_select(0, index).Times(beta1).Plus(g.Times(1 - beta1));
            var vr = v.index_select(0, index).Times(beta2).Plus((g * g).Times(1 - beta2));
            m.index_copy_(0, index, mr);
            v.index_copy_(0, index, vr);
            var update = ((mr / bias1) / ((vr / bias2).sqrt().Plus(epsilon)) * rates).Times(RateFactor);
            Parameter.index_copy_(0, index, Parameter.index_select(0, index) - update);
        }
        grad.zero_();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        m.Dispose();
        v.Dispose();
        rates.Dispose();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Scalars;

/// <summary>
/// Adam (Kingma and Ba; no weight decay, no AMSGrad) with every Scalar held through its native call. TorchSharp 0.107's
/// optimizers convert the learning rate, betas and epsilon to Scalars inside <c>step</c> without holding them
/// (dotnet/TorchSharp#1434), so <c>Optimizer.step</c> is banned in BannedSymbols.txt. The update is the same sequence of
/// libtorch calls as <c>torch.optim.Adam.step</c>, so the parameters come out bit for bit the same
/// (<c>HeldAdamTests</c>): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
/// </summary>
public sealed class HeldAdam : IDisposable
{
    private readonly Tensor[] parameters;
    private readonly Tensor[] firstMoments;
    private readonly Tensor[] secondMoments;
    private readonly double beta1;
    private readonly double beta2;
    private readonly double epsilon;
    private long steps;

    /// <summary>Optimises <paramref name="parameters"/> (leaf tensors that require grad).</summary>
    public HeldAdam(IEnumerable<Tensor> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        this.parameters = parameters.ToArray();
        LearningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        using (torch.no_grad())
        {
            firstMoments = this.parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
            secondMoments = this.parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
        }
    }

    /// <summary>The step size of the next <see cref="Step"/> (a schedule may change it between steps).</summary>
    public double LearningRate { get; set; }

    /// <summary>Zeroes every parameter's gradient in place (as <c>Optimizer.zero_grad</c> does).</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam update of every parameter that has a gradient.</summary>
    public void Step()
    {
        steps++;
        var biasCorrection1 = 1 - Math.Pow(beta1, steps);
        var biasCorrection2 = 1 - Math.Pow(beta2, steps);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        using var decay1 = beta1.ToScalar();
        using var keep1 = (1 - beta1).ToScalar();
        using var decay2 = beta2.ToScalar();
        using var keep2 = (1 - beta2).ToScalar();
        using var eps = epsilon.ToScalar();
        using var one = 1.ToScalar();
        using var stepSize = (-(LearningRate / biasCorrection1)).ToScalar();
        using var rootCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        for (int i = 0; i < parameters.Length; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null) continue;
            firstMoments[i].mul_(decay1).add_(grad, keep1);
            secondMoments[i].mul_(decay2).addcmul_(grad, grad.conj(), keep2);
            var denominator = secondMoments[i].sqrt().div(rootCorrection2).add_(eps, one);
            parameters[i].addcdiv_(firstMoments[i], denominator, stepSize);
        }
    }

    /// <summary>Frees the moment tensors (the parameters belong to the caller).</summary>
    public void Dispose()
    {
        foreach (var t in firstMoments) t.Dispose();
        foreach (var t in secondMoments) t.Dispose();
    }
}

using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Fid;

/// <summary>
/// Functions of symmetric positive semi-definite matrices through the eigendecomposition A = V diag(λ) Vᵀ
/// (<c>torch.linalg.eigh</c>, float64). Eigenvalues below zero, which only rounding produces for a PSD input, are
/// clamped to zero, so the square root always exists and is real.
/// </summary>
public static class SymmetricMatrix
{
    /// <summary>The PSD square root V diag(√max(λ, 0)) Vᵀ of a symmetric [D, D] matrix (symmetrised first). Caller disposes.</summary>
    public static Tensor Sqrt(Tensor a)
    {
        using var scope = torch.NewDisposeScope();
        var sym = Symmetrise(a.to(ScalarType.Float64));
        var (lambda, v) = torch.linalg.eigh(sym);
        var root = lambda.ClampedMin(0).sqrt();
        return v.matmul(torch.diag(root)).matmul(v.mT).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Tr √(A·B) for symmetric PSD A and B. A·B itself is not symmetric, but it is similar to A^½·B·A^½, which is
    /// symmetric PSD and has the same eigenvalues, so Tr √(A·B) = Σ √λᵢ(A^½·B·A^½). This is the robust form of the
    /// trace term of the Fréchet distance (no complex parts, no failing iterative sqrtm on singular covariances).
    /// </summary>
    public static double TraceSqrtOfProduct(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var rootA = Sqrt(a);
        var m = Symmetrise(rootA.matmul(b.to(ScalarType.Float64)).matmul(rootA));
        var lambda = torch.linalg.eigvalsh(m).ClampedMin(0);
        return lambda.sqrt().sum().cpu().item<double>();
    }

    private static Tensor Symmetrise(Tensor a)
    {
        if (a.dim() != 2 || a.shape[0] != a.shape[1]) throw new ArgumentException($"expected a square matrix, got [{string.Join(", ", a.shape)}]");
        return a.Plus(a.mT).Times(0.5);
    }
}

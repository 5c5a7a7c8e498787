using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Real spherical harmonics up to degree 3 in the basis order and sign convention of 3DGS
/// (coefficient k of a Gaussian multiplies basis k; colour = sum + 0.5, clamped at 0).
/// </summary>
public static class SphericalHarmonics
{
    /// <summary>Degree-0 constant 1 / (2 sqrt(pi)).</summary>
    public const double C0 = 0.28209479177387814;

    /// <summary>Degree-1 constant.</summary>
    public const double C1 = 0.4886025119029199;

    /// <summary>Degree-2 constants.</summary>
    public static IReadOnlyList<double> C2 { get; } = new[] { 1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396 };

    /// <summary>Degree-3 constants.</summary>
    public static IReadOnlyList<double> C3 { get; } = new[] { -0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154, -0.4570457994644658, 1.445305721320277, -0.5900435899266435 };

    /// <summary>Highest supported degree.</summary>
    public const int MaxDegree = 3;

    /// <summary>Number of coefficients of a degree: (degree + 1)^2.</summary>
    public static int CoefficientCount(int degree) => (degree + 1) * (degree + 1);

    /// <summary>Basis functions [.., (degree+1)^2] at unit directions [.., 3].</summary>
    public static Tensor Basis(int degree, Tensor unitDirs)
    {
        if (degree < 0 || degree > MaxDegree) throw new ArgumentOutOfRangeException(nameof(degree));
        var x = unitDirs.select(-1, 0);
        var y = unitDirs.select(-1, 1);
        var z = unitDirs.select(-1, 2);
        var list = new List<Tensor> { HeldScalarOps.Hold(C0.ToScalar(), held => torch.full_like(x, held)) };
        if (degree >= 1)
        {
            list.Add(y.Times(-C1));
            list.Add(z.Times(C1));
            list.Add(x.Times(-C1));
        }
        if (degree >= 2)
        {
            var xx = x * x; var yy = y * y; var zz = z * z;
            list.Add(x.Times(C2[0]) * y);
            list.Add(y.Times(C2[1]) * z);
            list.Add((zz.Times(2.0) - xx - yy).Times(C2[2]));
            list.Add(x.Times(C2[3]) * z);
            list.Add((xx - yy).Times(C2[4]));
            if (degree >= 3)
            {
                list.Add(y.Times(C3[0]) * (xx.Times(3.0) - yy));
                list.Add(x.Times(C3[1]) * y * z);
                list.Add(y.Times(C3[2]) * (zz.Times(4.0) - xx - yy));
                list.Add(z.Times(C3[3]) * (zz.Times(2.0) - xx.Times(3.0) - yy.Times(3.0)));
                list.Add(x.Times(C3[4]) * (zz.Times(4.0) - xx - yy));
                list.Add(z.Times(C3[5]) * (xx - yy));
                list.Add(x.Times(C3[6]) * (xx - yy.Times(3.0)));
            }
        }
        return torch.stack(list, -1);
    }

    /// <summary>
    /// Raw SH value sum_k basis_k(dir) * coeff_k: directions [N, 3] (normalised here), coefficients [N, K, C] -> [N, C].
    /// </summary>
    public static Tensor Evaluate(int degree, Tensor directions, Tensor coefficients)
    {
        int k = CoefficientCount(degree);
        if (coefficients.shape[1] < k)
            throw new ArgumentException($"SH degree {degree} needs {k} coefficients, got {coefficients.shape[1]}.", nameof(coefficients));
        using var scope = torch.NewDisposeScope();
        var dirs = torch.nn.functional.normalize(directions, p: 2, dim: -1);
        var basis = Basis(degree, dirs); // [N, k]
        var coeffs = coefficients.narrow(1, 0, k); // [N, k, C]
        var result = (basis.unsqueeze(-1) * coeffs).sum(1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>3DGS colour: Evaluate + 0.5, clamped at 0. Directions are Gaussian centre minus camera centre.</summary>
    public static Tensor ToColor(int degree, Tensor directions, Tensor coefficients)
    {
        using var scope = torch.NewDisposeScope();
        return Evaluate(degree, directions, coefficients).Plus(0.5).ClampedMin(0.0).MoveToOuterDisposeScope();
    }

    /// <summary>DC coefficient that reproduces an RGB colour at degree 0: (rgb - 0.5) / C0.</summary>
    public static Tensor RgbToDc(Tensor rgb)
    {
        using var scope = torch.NewDisposeScope();
        return rgb.Minus(0.5).DividedBy(C0).MoveToOuterDisposeScope();
    }

    /// <summary>RGB colour of a DC coefficient: dc * C0 + 0.5.</summary>
    public static Tensor DcToRgb(Tensor dc)
    {
        using var scope = torch.NewDisposeScope();
        return dc.Times(C0).Plus(0.5).MoveToOuterDisposeScope();
    }
}

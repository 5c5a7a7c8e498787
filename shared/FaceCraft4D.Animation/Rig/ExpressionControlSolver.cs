using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.ShapePrior.Template;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Rig;

/// <summary>
/// Maps a semantic expression control onto a head model's expression basis, so that clips are basis-independent:
/// with B the model's landmark expression Jacobian ([3L, E]: the landmark embedding applied to the expression
/// blendshapes, at zero pose) and d the control's landmark target (metres),
/// c = argmin_c sum_l w_l |B_l c - d_l|^2 + lambda |c|^2, lambda = Ridge * mean diag(B^T W B).
/// Named landmarks have weight 1, the other inner landmarks (iBUG 17-67) weight <see cref="ExpressionControlSolverOptions.StillWeight"/>
/// with target 0; the jaw contour is free. The result is exact for any orthogonal change of basis (the ridge solution
/// is rotation-invariant), which is what makes the same clip drive the built-in head and FLAME 2020/2023 alike.
/// </summary>
public sealed class ExpressionControlSolver
{
    private readonly double[,] jacobian; // [3L, E]
    private readonly int[] ibug;         // iBUG index of each model landmark
    private readonly ExpressionControlSolverOptions options;

    /// <summary>Precomputes the landmark Jacobian of <paramref name="model"/>.</summary>
    public ExpressionControlSolver(FlameModelData model, ExpressionControlSolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.options = options ?? new ExpressionControlSolverOptions();
        ComponentCount = Math.Min(model.ExpressionCount, this.options.MaxComponents);
        ibug = LandmarkCorrespondence.ForModel(model.LandmarkCount).IbugIndices.ToArray();
        jacobian = LandmarkJacobian(model, ComponentCount);
    }

    /// <summary>Expression components the solutions use (E).</summary>
    public int ComponentCount { get; }

    /// <summary>Landmark displacement (metres, [L, 3] flattened) of expression coefficients <paramref name="c"/>.</summary>
    public double[] LandmarkDisplacement(ReadOnlySpan<float> c)
    {
        int rows = jacobian.GetLength(0);
        var d = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int k = 0; k < Math.Min(c.Length, ComponentCount); k++) s += jacobian[r, k] * c[k];
            d[r] = s;
        }
        return d;
    }

    /// <summary>The model landmark index of iBUG landmark <paramref name="ibugIndex"/>, or -1 when the model has none.</summary>
    public int ModelLandmark(int ibugIndex) => Array.IndexOf(ibug, ibugIndex);

    /// <summary>Expression coefficients [E] of <paramref name="control"/> at activation 1 (zeros for pose-only controls).</summary>
    public float[] Solve(SemanticControl control)
    {
        ArgumentNullException.ThrowIfNull(control);
        int e = ComponentCount;
        var result = new float[e];
        if (!control.IsExpression || e == 0) return result;
        int l = ibug.Length;
        var ata = new double[e, e];
        var atb = new double[e];
        for (int m = 0; m < l; m++)
        {
            int i = ibug[m];
            double w;
            (float X, float Y, float Z) target = (0, 0, 0);
            if (control.LandmarkTargets!.TryGetValue(i, out var t)) { w = 1; target = t; }
            else if (i >= 17) w = options.StillWeight;
            else continue;
            double[] d = [target.X * 1e-3, target.Y * 1e-3, target.Z * 1e-3];
            for (int c = 0; c < 3; c++)
            {
                int row = 3 * m + c;
                for (int a = 0; a < e; a++)
                {
                    double ja = jacobian[row, a];
                    if (ja == 0) continue;
                    atb[a] += w * ja * d[c];
                    for (int b = 0; b < e; b++) ata[a, b] += w * ja * jacobian[row, b];
                }
            }
        }
        double trace = 0;
        for (int a = 0; a < e; a++) trace += ata[a, a];
        double lambda = options.Ridge * Math.Max(trace / e, 1e-18);
        for (int a = 0; a < e; a++) ata[a, a] += lambda;
        var x = SolveSymmetric(ata, atb);
        for (int a = 0; a < e; a++) result[a] = (float)x[a];
        return result;
    }

    private static double[,] LandmarkJacobian(FlameModelData model, int components)
    {
        using var scope = torch.NewDisposeScope();
        int l = model.LandmarkCount;
        var result = new double[3 * l, components];
        if (components == 0) return result;
        var faces = model.Faces.index_select(0, model.LandmarkFaces); // [L, 3]
        var dirs = model.ExpressionDirs.narrow(2, 0, components).to(ScalarType.Float64); // [V, 3, E]
        var corners = dirs.index_select(0, faces.flatten()).view(l, 3, 3, components); // [L, corner, xyz, E]
        var bary = model.LandmarkBarycentrics.to(ScalarType.Float64).view(l, 3, 1, 1);
        var j = (corners * bary).sum(1).contiguous().view(3 * l, components); // [3L, E]
        var values = j.data<double>().ToArray();
        for (int r = 0; r < 3 * l; r++)
            for (int k = 0; k < components; k++) result[r, k] = values[r * components + k];
        return result;
    }

    /// <summary>Cholesky solve of a symmetric positive definite system.</summary>
    private static double[] SolveSymmetric(double[,] a, double[] b)
    {
        int n = b.Length;
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                if (i == j) l[i, i] = Math.Sqrt(Math.Max(s, 1e-300));
                else l[i, j] = s / l[j, j];
            }
        }
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * y[k];
            y[i] = s / l[i, i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = y[i];
            for (int k = i + 1; k < n; k++) s -= l[k, i] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }
}

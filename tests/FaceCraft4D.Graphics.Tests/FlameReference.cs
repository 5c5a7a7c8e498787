using FaceCraft4D.Graphics.Flame;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>Independent, loop-based float64 FLAME linear blend skinning used to check <see cref="FlameModel"/>.</summary>
internal static class FlameReference
{
    public static double[] Vertices(FlameModelData m, double[] betas, double[] pose, double[] translation)
    {
        int v = m.VertexCount, s = m.ShapeCount, e = m.ExpressionCount;
        var vt = D(m.VTemplate); var sd = D(m.ShapeDirs); var ed = D(m.ExpressionDirs); var pd = D(m.PoseDirs);
        var jr = D(m.JRegressor); var w = D(m.Weights);
        var shaped = new double[v * 3];
        for (int i = 0; i < v; i++)
            for (int c = 0; c < 3; c++)
            {
                double x = vt[i * 3 + c];
                for (int l = 0; l < s; l++) x += sd[(i * 3 + c) * s + l] * betas[l];
                for (int l = 0; l < e; l++) x += ed[(i * 3 + c) * e + l] * betas[s + l];
                shaped[i * 3 + c] = x;
            }
        var joints = new double[5, 3];
        for (int j = 0; j < 5; j++)
            for (int i = 0; i < v; i++)
                for (int c = 0; c < 3; c++) joints[j, c] += jr[j * v + i] * shaped[i * 3 + c];
        var rot = new double[5][];
        for (int j = 0; j < 5; j++) rot[j] = Rodrigues(pose[3 * j], pose[3 * j + 1], pose[3 * j + 2]);
        var posed = (double[])shaped.Clone();
        for (int j = 1; j < 5; j++)
            for (int r = 0; r < 9; r++)
            {
                double f = rot[j][r] - (r % 4 == 0 ? 1 : 0);
                int k = (j - 1) * 9 + r;
                for (int i = 0; i < v * 3; i++) posed[i] += f * pd[(long)k * v * 3 + i];
            }
        // World transforms G_j (3x4) along the chain, then A_j = G_j with translation t - R J_j.
        var g = new double[5][];
        for (int j = 0; j < 5; j++)
        {
            var local = new double[12];
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++) local[r * 4 + c] = rot[j][r * 3 + c];
                long parent = m.Parents[j];
                local[r * 4 + 3] = joints[j, r] - (parent < 0 ? 0 : joints[parent, r]);
            }
            g[j] = m.Parents[j] < 0 ? local : Compose(g[m.Parents[j]], local);
        }
        var a = new double[5][];
        for (int j = 0; j < 5; j++)
        {
            a[j] = (double[])g[j].Clone();
            for (int r = 0; r < 3; r++)
                a[j][r * 4 + 3] -= g[j][r * 4] * joints[j, 0] + g[j][r * 4 + 1] * joints[j, 1] + g[j][r * 4 + 2] * joints[j, 2];
        }
        var result = new double[v * 3];
        for (int i = 0; i < v; i++)
            for (int r = 0; r < 3; r++)
            {
                double sum = 0;
                for (int j = 0; j < 5; j++)
                {
                    double wt = w[i * 5 + j];
                    if (wt == 0) continue;
                    sum += wt * (a[j][r * 4] * posed[i * 3] + a[j][r * 4 + 1] * posed[i * 3 + 1] + a[j][r * 4 + 2] * posed[i * 3 + 2] + a[j][r * 4 + 3]);
                }
                result[i * 3 + r] = sum + translation[r];
            }
        return result;
    }

    private static double[] Compose(double[] a, double[] b)
    {
        var r = new double[12];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++) r[i * 4 + j] = a[i * 4] * b[j] + a[i * 4 + 1] * b[4 + j] + a[i * 4 + 2] * b[8 + j];
            r[i * 4 + 3] = a[i * 4] * b[3] + a[i * 4 + 1] * b[7] + a[i * 4 + 2] * b[11] + a[i * 4 + 3];
        }
        return r;
    }

    public static double[] Rodrigues(double x, double y, double z)
    {
        double t = Math.Sqrt(x * x + y * y + z * z);
        if (t < 1e-12) return new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        double kx = x / t, ky = y / t, kz = z / t, s = Math.Sin(t), c = 1 - Math.Cos(t);
        return new[]
        {
            1 + c * (-ky * ky - kz * kz), -s * kz + c * kx * ky, s * ky + c * kx * kz,
            s * kz + c * kx * ky, 1 + c * (-kx * kx - kz * kz), -s * kx + c * ky * kz,
            -s * ky + c * kx * kz, s * kx + c * ky * kz, 1 + c * (-kx * kx - ky * ky),
        };
    }

    public static double[] D(Tensor t) => t.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
}

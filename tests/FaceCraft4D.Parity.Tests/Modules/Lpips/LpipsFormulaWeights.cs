using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.Lpips;

/// <summary>
/// The goldens' "formula weights" (tests/fixtures/parity/README.md, "Formula weights"): tensors too large to store,
/// generated from their state-dict key n and shape. For the C-order flat index i, k = (i·i) mod 6283 in exact int64, and
/// t[i] = float32(s · sin(0.001·k + 0.1·len(n))) in float64 math, with s = 0.01 for keys ending in <c>bias</c>, else
/// 2/√fan_in (fan_in = shape[1]·∏shape[2:]).
/// Private to the LPIPS runner until the shared generator (Harness/FormulaWeights.cs) is merged.
/// </summary>
internal static class LpipsFormulaWeights
{
    /// <summary>The generated values, C order.</summary>
    public static float[] Values(string name, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        double scale = Scale(name, shape);
        double phase = 0.1 * name.Length;
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            long k = i * i % 6283;
            values[i] = (float)(scale * Math.Sin(0.001 * k + phase));
        }
        return values;
    }

    /// <summary>The generated tensor, float32 on the CPU.</summary>
    public static Tensor Tensor(string name, IReadOnlyList<long> shape) => torch.tensor(Values(name, shape), shape.ToArray());

    /// <summary>s: 0.01 for biases, 2/√fan_in otherwise.</summary>
    public static double Scale(string name, IReadOnlyList<long> shape)
    {
        if (name.EndsWith("bias", StringComparison.Ordinal)) return 0.01;
        if (shape.Count < 2) throw new ArgumentException($"Formula weight '{name}' has shape [{string.Join(", ", shape)}]; fan_in needs at least two dimensions.");
        long fanIn = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        return 2.0 / Math.Sqrt(fanIn);
    }
}

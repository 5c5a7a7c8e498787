using FaceCraft4D.Weights.Scalars;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Harness;

/// <summary>How one output compared: the largest absolute error, the worst ratio of error to allowance, and the count
/// of elements over <c>atol + rtol*|expected|</c>.</summary>
public sealed record TensorComparison(string Name, long[] ExpectedShape, long[] ActualShape, double MaxAbsError,
    double WorstRatio, long Violations, long Elements, ParityTolerance Tolerance)
{
    public bool ShapesMatch => ExpectedShape.SequenceEqual(ActualShape);

    public bool Passed => ShapesMatch && Violations == 0;

    public static TensorComparison Compare(string name, Tensor expected, Tensor actual, ParityTolerance tolerance)
    {
        if (!expected.shape.SequenceEqual(actual.shape))
            return new TensorComparison(name, expected.shape, actual.shape, double.PositiveInfinity, double.PositiveInfinity, expected.numel(), expected.numel(), tolerance);
        using var scope = NewDisposeScope();
        var e = expected.to(ScalarType.Float64, CPU);
        var a = actual.detach().to(ScalarType.Float64, CPU);
        var err = (a - e).abs();
        // NaN anywhere counts as a violation: nan_to_num maps it to +inf.
        err = err.nan_to_num(nan: double.PositiveInfinity);
        var allowed = tolerance.Exact ? zeros_like(e) : e.abs().Times(tolerance.Rtol).Plus(tolerance.Atol);
        long violations = (err > allowed).sum().item<long>();
        double maxAbs = err.numel() == 0 ? 0 : err.max().item<double>();
        double worst = err.numel() == 0 ? 0 : (err / allowed.ClampedMin(1e-300)).max().item<double>();
        return new TensorComparison(name, expected.shape, actual.shape, maxAbs, worst, violations, expected.numel(), tolerance);
    }

    public override string ToString() => ShapesMatch
        ? $"{Name}: max|err| {MaxAbsError:E2} (atol {Tolerance.Atol:E1}, rtol {Tolerance.Rtol:E1}{(Tolerance.Exact ? ", exact" : "")}), worst err/allowed {WorstRatio:F3}, {Violations}/{Elements} over"
        : $"{Name}: shape [{string.Join(",", ActualShape)}], expected [{string.Join(",", ExpectedShape)}]";
}

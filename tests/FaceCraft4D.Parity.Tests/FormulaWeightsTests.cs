using System.Text.Json;
using FaceCraft4D.Parity.Tests.Harness;
using Xunit;

namespace FaceCraft4D.Parity.Tests;

/// <summary>
/// The formula-weight generator against every case's <c>formula_check</c> (first 8 values and one fixed index, modulo
/// the size, bit for bit; the float64 sum to 1e-12 relative), plus the parts of the formula a check could miss.
/// </summary>
public sealed class FormulaWeightsTests
{
    public static TheoryData<string, string> CheckedTensors()
    {
        var data = new TheoryData<string, string>();
        foreach (var id in ParityGoldens.CaseIds())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ParityGoldens.Folder, id, "case.json")));
            if (doc.RootElement.TryGetProperty("formula_check", out var checks))
                foreach (var c in checks.EnumerateObject()) data.Add(id, c.Name);
        }
        // The repository's cases include arcface.iresnet and lpips.vgg: an empty list means the checks went missing.
        if (data.Count == 0) data.Add("MISSING", "");
        return data;
    }

    [Theory]
    [MemberData(nameof(CheckedTensors))]
    public void Generator_reproduces_formula_check(string caseId, string key)
    {
        Assert.NotEqual("MISSING", caseId);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ParityGoldens.Folder, caseId, "case.json")));
        var root = doc.RootElement;
        Assert.Contains(key, FormulaWeights.Names(root));
        var check = root.GetProperty("formula_check").GetProperty(key);
        var shape = check.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();

        var values = FormulaWeights.Values(key, shape);

        Assert.Equal(shape.Aggregate(1L, (a, b) => a * b), values.LongLength);
        var first8 = check.GetProperty("first8").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        Assert.Equal(first8, values.Take(first8.Length).ToArray());
        foreach (var p in check.EnumerateObject().Where(p => p.Name.StartsWith("at_index_", StringComparison.Ordinal)))
        {
            // The checks name one index for all tensors; a smaller tensor is read at that index modulo its size.
            long index = long.Parse(p.Name["at_index_".Length..]) % values.LongLength;
            Assert.Equal((float)p.Value.GetDouble(), values[index]);
        }
        double sum = values.Sum(v => (double)v);
        double expectedSum = check.GetProperty("sum_float64").GetDouble();
        Assert.True(Math.Abs(sum - expectedSum) <= 1e-12 * values.Sum(v => Math.Abs((double)v)),
            $"{caseId} {key}: sum {sum:R}, expected {expectedSum:R}");
    }

    [Fact]
    public void Phase_is_quadratic_residue_of_the_flat_index_and_uses_the_key_length()
    {
        // A [1, 7000] weight: fan_in 7000, so s = 2/sqrt(7000); index 6283 wraps to k = 0 like index 0, and
        // index 6284 to k = 1 like index 1, while index 100 is k = 10000 mod 6283 = 3717.
        const string key = "abc.weight";
        var v = FormulaWeights.Values(key, [1, 7000]);
        double s = 2 / Math.Sqrt(7000), phase = 0.1 * key.Length;
        Assert.Equal((float)(s * Math.Sin(phase)), v[0]);
        Assert.Equal(v[0], v[6283]);
        Assert.Equal(v[1], v[6284]);
        Assert.Equal((float)(s * Math.Sin(0.001 * 3717 + phase)), v[100]);
    }

    [Fact]
    public void Only_listed_keys_are_generated_for_a_case()
    {
        using var doc = JsonDocument.Parse("""{"formula_tensors": ["a.weight"]}""");
        using var t = FormulaWeights.Generate(doc.RootElement, "a.weight", [2, 3]);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(FormulaWeights.Values("a.weight", [2, 3]), t.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => FormulaWeights.Generate(doc.RootElement, "b.weight", [2, 3]));
    }

    [Fact]
    public void Scale_is_two_over_root_fan_in_for_weights_and_fixed_for_biases()
    {
        Assert.Equal(2 / Math.Sqrt(3 * 3 * 3), FormulaWeights.Scale("conv1.weight", [64, 3, 3, 3]), 15);
        Assert.Equal(2 / Math.Sqrt(25088), FormulaWeights.Scale("fc.weight", [512, 25088]), 15);
        Assert.Equal(0.01, FormulaWeights.Scale("net.slice1.0.bias", [64]));
        Assert.Throws<ArgumentException>(() => FormulaWeights.Scale("features.weight", [512]));
    }
}

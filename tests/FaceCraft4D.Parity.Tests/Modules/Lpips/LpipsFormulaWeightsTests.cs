using System.Text.Json;
using FaceCraft4D.Parity.Tests.Harness;
using Xunit;

namespace FaceCraft4D.Parity.Tests.Modules.Lpips;

/// <summary>The formula generator against every lpips case's <c>formula_check</c> (first 8 values, one indexed value, float64 sum).</summary>
public sealed class LpipsFormulaWeightsTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var id in ParityGoldens.CaseIds().Where(id => id.StartsWith("lpips.", StringComparison.Ordinal))) data.Add(id);
        if (data.Count == 0) data.Add("MISSING");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_values_match_the_case_formula_check(string caseId)
    {
        Assert.NotEqual("MISSING", caseId);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ParityGoldens.Folder, caseId, "case.json")));
        var checks = json.RootElement.GetProperty("formula_check");
        int checkedTensors = 0;
        foreach (var check in checks.EnumerateObject())
        {
            var shape = check.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var values = LpipsFormulaWeights.Values(check.Name, shape);
            var first8 = check.Value.GetProperty("first8").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int i = 0; i < first8.Length; i++) Assert.Equal((float)first8[i], values[i]);
            // The index is taken modulo the element count (a 64-element bias reports its element 1).
            Assert.Equal((float)check.Value.GetProperty("at_index_123457").GetDouble(), values[123457 % values.Length]);
            double sum = values.Sum(v => (double)v), expected = check.Value.GetProperty("sum_float64").GetDouble();
            Assert.True(Math.Abs(sum - expected) <= 1e-9 * values.Length, $"{check.Name}: sum {sum:R}, expected {expected:R}");
            checkedTensors++;
        }
        Assert.True(checkedTensors > 0, $"{caseId}: formula_check is empty");
    }

    [Fact]
    public void Scale_is_he_for_weights_and_a_hundredth_for_biases()
    {
        Assert.Equal(2.0 / Math.Sqrt(27), LpipsFormulaWeights.Scale("net.slice1.0.weight", [64, 3, 3, 3]));
        Assert.Equal(0.01, LpipsFormulaWeights.Scale("net.slice1.0.bias", [64]));
    }
}

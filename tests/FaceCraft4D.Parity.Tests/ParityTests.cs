using FaceCraft4D.Parity.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Parity.Tests;

/// <summary>
/// Every case folder under <see cref="ParityGoldens.Folder"/> through its port: all expected outputs present, with the
/// case's shapes, within <c>atol + rtol*|expected|</c> elementwise. A case whose module no runner knows fails.
/// </summary>
public sealed class ParityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        var ids = ParityGoldens.CaseIds();
        // A missing or empty folder must fail, not pass on zero cases.
        if (ids.Count == 0) data.Add("MISSING:" + ParityGoldens.Folder);
        foreach (var id in ids) data.Add(id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Port_matches_upstream_case(string caseId)
    {
        Assert.False(caseId.StartsWith("MISSING:", StringComparison.Ordinal),
            $"No parity cases under '{caseId["MISSING:".Length..]}' (set {ParityGoldens.EnvironmentVariable}).");
        using var parityCase = await ParityCase.LoadAsync(ParityGoldens.Folder, caseId);
        var runner = ParityModuleRegistry.Create(parityCase.Module);
        Assert.True(runner is not null,
            $"{caseId}: no port runs module '{parityCase.Module}' (known: {string.Join(", ", ParityModuleRegistry.Modules.Keys.Order())}).");

        var actual = await runner!.RunAsync(parityCase, CancellationToken.None);
        try
        {
            var results = new List<TensorComparison>();
            foreach (var (name, expected) in parityCase.ExpectedOutputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                Assert.True(actual.ContainsKey(name), $"{caseId}: the port produced no '{name}' (produced {string.Join(", ", actual.Keys)}).");
                var comparison = TensorComparison.Compare(name, expected, actual[name], parityCase.ToleranceFor(name));
                results.Add(comparison);
                output.WriteLine(comparison.ToString());
            }
            var failed = results.Where(r => !r.Passed).ToList();
            Assert.True(failed.Count == 0, $"{caseId}: {failed.Count} output(s) off:\n" + string.Join("\n", failed));
        }
        finally
        {
            foreach (var t in actual.Values) t.Dispose();
        }
    }
}

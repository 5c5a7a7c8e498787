using System.Text.Json;

namespace FaceCraft4D.Parity.Tests.Harness;

/// <summary>
/// Elementwise pass criterion <c>|actual - expected| &lt;= Atol + Rtol * |expected|</c> for one output; <see cref="Exact"/>
/// outputs (integer indices stored as F32) must match bit for bit.
/// </summary>
public sealed record ParityTolerance(double Atol, double Rtol, bool Exact)
{
    /// <summary>
    /// The tolerance of output <paramref name="name"/> (e.g. <c>out.vertices</c>) from a case.json: the case-wide
    /// <c>tolerance {atol, rtol}</c>, overridden by <c>tolerance.per_output[name]</c>, exact when the name is in
    /// <c>tolerance.exact_outputs</c> or its <c>outputs[]</c> entry says <c>"exact": true</c>.
    /// </summary>
    public static ParityTolerance For(JsonElement caseJson, string name)
    {
        var tol = caseJson.GetProperty("tolerance");
        double atol = tol.GetProperty("atol").GetDouble();
        double rtol = tol.GetProperty("rtol").GetDouble();
        if (tol.TryGetProperty("per_output", out var per) && per.TryGetProperty(name, out var own))
        {
            if (own.TryGetProperty("atol", out var a)) atol = a.GetDouble();
            if (own.TryGetProperty("rtol", out var r)) rtol = r.GetDouble();
        }
        bool exact = tol.TryGetProperty("exact_outputs", out var exactList)
                     && exactList.EnumerateArray().Any(e => e.GetString() == name);
        if (caseJson.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array)
            foreach (var o in outputs.EnumerateArray())
                if (o.ValueKind == JsonValueKind.Object && o.TryGetProperty("name", out var n) && n.GetString() == name
                    && o.TryGetProperty("exact", out var ex) && ex.ValueKind == JsonValueKind.True)
                    exact = true;
        return new ParityTolerance(atol, rtol, exact);
    }
}

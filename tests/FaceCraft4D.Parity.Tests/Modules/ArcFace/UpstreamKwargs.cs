using System.Text.Json;

namespace FaceCraft4D.Parity.Tests.Modules;

/// <summary>
/// Typed reads of a case's <c>config</c> (the upstream constructor kwargs as passed): a missing kwarg takes the upstream
/// default, and a kwarg the runner does not know is an error naming it, so a new case never runs silently wrong.
/// </summary>
public sealed class UpstreamKwargs(string caseId, JsonElement config)
{
    public bool Has(string name) => config.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public int Int(string name, int fallback) => Has(name) ? config.GetProperty(name).GetInt32() : fallback;

    public int Int(string name) => Has(name) ? config.GetProperty(name).GetInt32() : throw Missing(name);

    public double Double(string name, double fallback) => Has(name) ? config.GetProperty(name).GetDouble() : fallback;

    public bool Bool(string name, bool fallback) => Has(name) ? config.GetProperty(name).GetBoolean() : fallback;

    public string String(string name, string fallback) => Has(name) ? config.GetProperty(name).GetString()! : fallback;

    public int[] Ints(string name, int[] fallback) =>
        Has(name) ? config.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray() : fallback;

    public int[] Ints(string name) => Has(name) ? Ints(name, []) : throw Missing(name);

    public bool[]? Bools(string name) =>
        Has(name) ? config.GetProperty(name).EnumerateArray().Select(e => e.GetBoolean()).ToArray() : null;

    /// <summary>Throws <see cref="NotSupportedException"/> naming every kwarg outside <paramref name="known"/>.</summary>
    public void RejectUnknown(params string[] known)
    {
        var unknown = config.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw new NotSupportedException($"{caseId}: the port does not know the upstream kwarg(s) {string.Join(", ", unknown)}.");
    }

    /// <summary>An unsupported value of a known kwarg.</summary>
    public NotSupportedException Unsupported(string name, string why) =>
        new($"{caseId}: kwarg {name} = {(Has(name) ? config.GetProperty(name).GetRawText() : "(default)")} is not supported: {why}");

    private ArgumentException Missing(string name) => new($"{caseId}: config has no required kwarg '{name}'.");
}

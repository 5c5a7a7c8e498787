using System.Globalization;
using System.Text.Json;

namespace FaceCraft4D.Parity.Tests.Harness;

/// <summary>
/// The keyword arguments an upstream constructor was called with (a case.json <c>config</c> object). Each read names
/// the kwarg and, where the upstream signature has one, its default; <see cref="EnsureAllRead"/> then rejects every
/// kwarg the port does not honour, so a new case with an unknown option fails with its name instead of running wrong.
/// </summary>
public sealed class UpstreamKwargs
{
    private readonly JsonElement _kwargs;
    private readonly string _owner;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public UpstreamKwargs(JsonElement kwargs, string owner)
    {
        if (kwargs.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"{owner}: kwargs must be a JSON object, got {kwargs.ValueKind}.", nameof(kwargs));
        _kwargs = kwargs;
        _owner = owner;
    }

    public bool Has(string name) => _kwargs.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>A required kwarg (no upstream default).</summary>
    public int Int(string name) => Has(name) ? ReadInt(name) : throw Missing(name);

    public int Int(string name, int fallback) => Has(name) ? ReadInt(name) : MarkRead(name, fallback);

    public bool Bool(string name, bool fallback)
    {
        if (!Has(name)) return MarkRead(name, fallback);
        var v = Get(name);
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(name, v, "a boolean"),
        };
    }

    public string String(string name, string fallback)
    {
        if (!Has(name)) return MarkRead(name, fallback);
        var v = Get(name);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Invalid(name, v, "a string");
    }

    public double Double(string name, double fallback)
    {
        if (!Has(name)) return MarkRead(name, fallback);
        var v = Get(name);
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Invalid(name, v, "a number");
    }

    /// <summary>A list of booleans; null when absent or None.</summary>
    public bool[]? Bools(string name)
    {
        if (!Has(name)) return MarkRead<bool[]?>(name, null);
        var v = Get(name);
        if (v.ValueKind != JsonValueKind.Array) throw Invalid(name, v, "a list of booleans");
        return v.EnumerateArray().Select(e => e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(name, v, "a list of booleans"),
        }).ToArray();
    }

    public int[] Ints(string name) => Has(name) ? ReadInts(name) : throw Missing(name);

    public int[] Ints(string name, int[] fallback) => Has(name) ? ReadInts(name) : MarkRead(name, fallback);

    /// <summary>A nested kwargs dict (e.g. <c>dense_motion_params</c>); null when absent or None.</summary>
    public UpstreamKwargs? Nested(string name)
    {
        if (!Has(name)) return MarkRead<UpstreamKwargs?>(name, null);
        return new UpstreamKwargs(Get(name), $"{_owner}.{name}");
    }

    /// <summary>Marks a kwarg upstream accepts but whose value cannot change the computation that is compared.</summary>
    public void Ignore(string name) => _read.Add(name);

    /// <summary>Throws <see cref="NotSupportedException"/> naming every kwarg outside <paramref name="known"/> (checked up front).</summary>
    public void RejectUnknown(params string[] known)
    {
        var unknown = _kwargs.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw new NotSupportedException($"{_owner}: the port does not support the kwarg(s) {string.Join(", ", unknown.Select(n => $"'{n}'"))}.");
        foreach (var name in known) _read.Add(name);
    }

    /// <summary>An unsupported value of a known kwarg.</summary>
    public NotSupportedException Unsupported(string name, string why) =>
        new($"{_owner}: kwarg {name} = {(Has(name) ? _kwargs.GetProperty(name).GetRawText() : "(default)")} is not supported: {why}");

    /// <summary>Throws <see cref="NotSupportedException"/> naming every kwarg nobody read.</summary>
    public void EnsureAllRead()
    {
        var unknown = _kwargs.EnumerateObject().Select(p => p.Name).Where(n => !_read.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw new NotSupportedException($"{_owner}: the port does not support the kwarg(s) {string.Join(", ", unknown.Select(n => $"'{n}'"))}.");
    }

    private JsonElement Get(string name)
    {
        _read.Add(name);
        return _kwargs.GetProperty(name);
    }

    private T MarkRead<T>(string name, T value)
    {
        _read.Add(name);
        return value;
    }

    private int ReadInt(string name)
    {
        var v = Get(name);
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
        // JSON from Python may carry an integral float (e.g. 2.0).
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue) return (int)d;
        throw Invalid(name, v, "an integer");
    }

    private int[] ReadInts(string name)
    {
        var v = Get(name);
        if (v.ValueKind != JsonValueKind.Array) throw Invalid(name, v, "a list of integers");
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i)
            ? i : throw Invalid(name, v, "a list of integers")).ToArray();
    }

    private ArgumentException Missing(string name) => new($"{_owner}: required kwarg '{name}' is missing.");

    private ArgumentException Invalid(string name, JsonElement v, string what) =>
        new($"{_owner}: kwarg '{name}' must be {what}, got {v.GetRawText().ToString(CultureInfo.InvariantCulture)}.");
}

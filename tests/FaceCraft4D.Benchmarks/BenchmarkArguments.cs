namespace FaceCraft4D.Benchmarks;

/// <summary>Tiny "--name value" argument reader shared by benchmarks.</summary>
public sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses "--key value" pairs; throws on a dangling key.</summary>
    public BenchmarkArguments(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
            if (i + 1 >= args.Count) throw new ArgumentException($"missing value for '{args[i]}'");
            _values[args[i][2..]] = args[++i];
        }
    }

    /// <summary>A string option.</summary>
    public string Get(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    /// <summary>An integer option.</summary>
    public int GetInt(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v) : fallback;

    /// <summary>A comma-separated integer list option.</summary>
    public int[] GetInts(string name, params int[] fallback) =>
        _values.TryGetValue(name, out var v) ? v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray() : fallback;
}

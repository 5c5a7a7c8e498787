using System.Globalization;

namespace FaceCraft4D.Priors.Tests.Support;

/// <summary>Parsed official-key fixture (see Fixtures/*.txt for the format).</summary>
public sealed class KeyFixture
{
    public Dictionary<string, long[]> Keys { get; } = new(StringComparer.Ordinal);
    public List<string> Absent { get; } = [];
    public int? TotalTensors { get; private set; }
    public long? TotalParams { get; private set; }
    public Dictionary<string, long> PrefixParams { get; } = new(StringComparer.Ordinal);

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>Parses a fixture; with sections ("@name") returns one fixture per section.</summary>
    public static Dictionary<string, KeyFixture> LoadSections(string name)
    {
        var result = new Dictionary<string, KeyFixture>(StringComparer.Ordinal);
        var current = new KeyFixture();
        result[""] = current;
        foreach (var raw in File.ReadAllLines(PathOf(name)))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal)) continue;
            if (line.StartsWith('@')) { current = new KeyFixture(); result[line[1..]] = current; continue; }
            if (line.StartsWith("!absent ", StringComparison.Ordinal)) { current.Absent.Add(line["!absent ".Length..].Trim()); continue; }
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (parts[0])
                {
                    case "#total-tensors": current.TotalTensors = int.Parse(parts[1], CultureInfo.InvariantCulture); break;
                    case "#total-params": current.TotalParams = long.Parse(parts[1], CultureInfo.InvariantCulture); break;
                    case "#prefix-params": current.PrefixParams[parts[1]] = long.Parse(parts[2], CultureInfo.InvariantCulture); break;
                    default: throw new FormatException($"unknown directive {parts[0]}");
                }
                continue;
            }
            int bracket = line.IndexOf('[');
            var key = line[..bracket].Trim();
            var shapeText = line[(bracket + 1)..line.LastIndexOf(']')];
            var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            current.Keys[key] = shape;
        }
        return result;
    }

    public static KeyFixture Load(string name) => LoadSections(name)[""];
}

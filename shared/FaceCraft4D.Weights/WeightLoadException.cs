namespace FaceCraft4D.Weights;

/// <summary>
/// The stored weights do not fit the module: keys missing from the files, keys in the files the module does not have,
/// or shapes that differ. The message names the offending keys (first <see cref="MaxListed"/> of each kind). Raised by
/// <see cref="StateDictLoader"/> before anything is copied. (A malformed file is an <see cref="InvalidDataException"/>
/// from the reader instead.)
/// </summary>
public sealed class WeightLoadException : Exception
{
    public const int MaxListed = 20;

    public WeightLoadException(string modelName, IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<ShapeMismatch> shapeMismatches, IReadOnlyList<string> sources)
        : base(BuildMessage(modelName, missingKeys, unexpectedKeys, shapeMismatches, sources))
    {
        ModelName = modelName;
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    public string ModelName { get; }
    public IReadOnlyList<string> MissingKeys { get; }
    public IReadOnlyList<string> UnexpectedKeys { get; }
    public IReadOnlyList<ShapeMismatch> ShapeMismatches { get; }

    private static string BuildMessage(string model, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<ShapeMismatch> shapes, IReadOnlyList<string> sources)
    {
        var lines = new List<string> { $"Weights for '{model}' from {string.Join(", ", sources)} do not match the module:" };
        void Add(string title, IReadOnlyList<string> items)
        {
            if (items.Count == 0) return;
            lines.Add($"  {title} ({items.Count}):");
            lines.AddRange(items.Take(MaxListed).Select(i => "    " + i));
            if (items.Count > MaxListed) lines.Add($"    ... and {items.Count - MaxListed} more");
        }
        Add("missing keys", missing);
        Add("unexpected keys", unexpected);
        Add("shape mismatches", shapes.Select(s => s.ToString()).ToList());
        return string.Join(Environment.NewLine, lines);
    }
}

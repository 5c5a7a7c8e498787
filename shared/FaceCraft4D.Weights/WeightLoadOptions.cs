namespace FaceCraft4D.Weights;

/// <summary>How <see cref="StateDictLoader"/> maps file keys onto module keys.</summary>
public sealed class WeightLoadOptions
{
    /// <summary>Prefix that file keys carry and the module keys do not (stripped before matching). Empty: none.</summary>
    public string FileKeyPrefix { get; init; } = "";

    /// <summary>
    /// File keys to skip without error (e.g. keys of another sub-model living in the same file). Keys outside
    /// <see cref="FileKeyPrefix"/> are always ignored. Default: none, so every key must be consumed.
    /// </summary>
    public Func<string, bool>? IgnoreKey { get; init; }
}

namespace FaceCraft4D.Priors;

/// <summary>Which expected files of a model folder are present.</summary>
/// <param name="Folder">The folder inspected.</param>
/// <param name="Found">Relative paths found (the variant actually chosen where alternatives exist).</param>
/// <param name="Missing">Human-readable descriptions of what is missing (alternatives listed with "or").</param>
public sealed record ModelFolderReport(string Folder, IReadOnlyList<string> Found, IReadOnlyList<string> Missing)
{
    public bool IsComplete => Missing.Count == 0;

    public override string ToString() => IsComplete
        ? $"{Folder}: complete ({string.Join(", ", Found)})"
        : $"{Folder}: missing {string.Join("; ", Missing)}";
}

/// <summary>A model folder lacks files; the message lists every missing file.</summary>
public sealed class ModelFolderException(ModelFolderReport report)
    : Exception($"Model folder '{report.Folder}' is incomplete. Missing: {string.Join("; ", report.Missing)}.")
{
    public ModelFolderReport Report { get; } = report;
}

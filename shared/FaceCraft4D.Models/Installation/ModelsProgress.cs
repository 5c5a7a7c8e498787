namespace FaceCraft4D.Models.Installation;

/// <summary>What a models command is doing now, for the CLI's progress display.</summary>
/// <param name="Stage">download, check, convert, install, skip or upload.</param>
public readonly record struct ModelsProgress(string Prior, string File, string Stage, long Bytes = 0, long? Total = null, bool Resumed = false, string? Message = null);

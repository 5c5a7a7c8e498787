namespace FaceCraft4D.Priors.Weights;

/// <summary>What a successful load consumed.</summary>
/// <param name="ModelName">Name used in messages.</param>
/// <param name="LoadedKeys">Every key copied into the module (equals the module's state dict keys).</param>
/// <param name="IgnoredKeys">File keys deliberately skipped by <see cref="WeightLoadOptions.IgnoreKey"/>.</param>
/// <param name="ParameterCount">Total elements loaded.</param>
public sealed record WeightLoadReport(string ModelName, IReadOnlyList<string> LoadedKeys, IReadOnlyList<string> IgnoredKeys, long ParameterCount);

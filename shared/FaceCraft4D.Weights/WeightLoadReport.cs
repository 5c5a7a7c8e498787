namespace FaceCraft4D.Weights;

/// <summary>What a successful <see cref="StateDictLoader"/> load consumed.</summary>
/// <param name="ModelName">Name used in messages.</param>
/// <param name="LoadedKeys">Every key copied into the module (equals the module's state dict keys).</param>
/// <param name="IgnoredKeys">Stored keys deliberately skipped: outside <see cref="WeightLoadOptions.FileKeyPrefix"/> or matched by <see cref="WeightLoadOptions.IgnoreKey"/>.</param>
/// <param name="ParameterCount">Total elements loaded.</param>
public sealed record WeightLoadReport(string ModelName, IReadOnlyList<string> LoadedKeys, IReadOnlyList<string> IgnoredKeys, long ParameterCount);

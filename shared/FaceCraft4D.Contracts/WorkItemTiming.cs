namespace FaceCraft4D.Contracts;

/// <summary>One work item of a run and when its job ran (the manifest's list, what <c>./fc4d bench plan</c> models from).</summary>
/// <param name="Stage">Stage slug.</param>
/// <param name="Key">Work-item key.</param>
/// <param name="Work">When it ran and the peak memory seen.</param>
public sealed record WorkItemTiming(string Stage, string Key, StageWork Work);

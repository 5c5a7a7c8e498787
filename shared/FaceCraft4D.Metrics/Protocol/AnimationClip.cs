namespace FaceCraft4D.Metrics.Protocol;

/// <summary>A driving sequence: one FLAME expression per frame (e.g. tracked from a driving video, or synthetic).</summary>
public sealed record AnimationClip(string Name, IReadOnlyList<FlameExpression> Frames);

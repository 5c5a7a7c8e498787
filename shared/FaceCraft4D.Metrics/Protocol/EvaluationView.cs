namespace FaceCraft4D.Metrics.Protocol;

/// <summary>One view of the protocol: what to render and where it belongs.</summary>
public sealed record EvaluationView(string Name, ViewKind Kind, CameraSpec Camera, string? Clip = null, int? Frame = null);

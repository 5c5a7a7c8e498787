namespace FaceCraft4D.Stages.Training;

/// <summary>One tracked frame in <c>track-flame/tracking.json</c> (FLAME order and units; missing pose arrays are zero).</summary>
public sealed record TrackedFrameDocument(float[]? Expression, float[]? Jaw, float[]? Neck, float[]? Eyes, float[]? GlobalRotation, float[]? Translation)
{
    /// <summary>As a <see cref="FlameFrame"/>.</summary>
    public FlameFrame ToFrame() => new(Expression ?? [], Jaw ?? [0, 0, 0], Neck ?? [0, 0, 0], Eyes ?? [0, 0, 0, 0, 0, 0], GlobalRotation ?? [0, 0, 0], Translation ?? [0, 0, 0]);
}

/// <summary>One clip in <c>track-flame/tracking.json</c>.</summary>
public sealed record TrackedClipDocument(int Clip, double? Fps, IReadOnlyList<TrackedFrameDocument> Frames);

/// <summary>
/// <c>track-flame/tracking.json</c> as TrainCoin and Export expect it from stage 6 (camelCase JSON):
/// <c>{ "clips": [ { "clip": 0, "fps": 25, "frames": [ { "expression": [...], "jaw": [3], "neck": [3], "eyes": [6],
/// "globalRotation": [3], "translation": [3] } ] } ], "backend": "..." }</c>. The identity is the shape prior's.
/// </summary>
public sealed record TrackingDocument(IReadOnlyList<TrackedClipDocument> Clips, string? Backend);

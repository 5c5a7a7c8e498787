namespace FaceCraft4D.Stages.Export;

/// <summary>One exported clip in <c>animation/index.json</c>.</summary>
public sealed record AnimationClipEntry(string Name, string File, int Frames, double Fps, string Source, IReadOnlyList<string> PosedPly);

/// <summary><c>animation/index.json</c>: the clips the viewer can play.</summary>
public sealed record AnimationIndexDocument(string Format, string Rig, long Gaussians, long Triangles, string Precision, string Formula, IReadOnlyList<AnimationClipEntry> Clips);

/// <summary><c>export.json</c>: what Export produced.</summary>
/// <param name="Colours"><c>consistent+reference-offsets</c> when the reference view's COIN offsets were baked into f_dc, else <c>consistent</c>.</param>
public sealed record ExportSummaryDocument(
    string Backend,
    long Gaussians,
    int ShDegree,
    string HeadModel,
    string Colours,
    string TrainedBy,
    IReadOnlyList<string> Files,
    IReadOnlyDictionary<string, string> Conventions);

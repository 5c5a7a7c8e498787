namespace FaceCraft4D.Stages.Performance;

/// <summary><c>report.json</c> of a VideoClip work item.</summary>
/// <param name="Format"><c>fc4d-video-clip-report/1</c>.</param>
/// <param name="Animation">Animation id.</param>
/// <param name="Clip">Clip name.</param>
/// <param name="Fps">Frame rate.</param>
/// <param name="Frames">Frames of the clip.</param>
/// <param name="FramesWithFace">Frames on which a face was tracked.</param>
/// <param name="SeveralFacesFrames">Frames with more than one face (the largest was tracked).</param>
/// <param name="MeanErrorIod">Mean landmark reprojection error / inter-ocular distance over the tracked frames, after refinement.</param>
/// <param name="JawLipCorrelation">Pearson correlation between the tracked jaw opening and the inner-lip distance measured on the driving frames' 68 landmarks (null when undefined).</param>
/// <param name="Mode"><c>relative</c> or <c>absolute</c>.</param>
/// <param name="ReferenceFrame">Reference frame of relative transfer (the rule in <c>ExpressionTransfer.ReferenceFrame</c>), null in absolute mode.</param>
/// <param name="Smoothing">The temporal filter, in words.</param>
/// <param name="RefinementIterations">Adam iterations per frame of the global refinement.</param>
/// <param name="LandmarkBackend">Landmarks the fit used.</param>
/// <param name="Backend">Backend label.</param>
/// <param name="Warnings">Warnings for the user.</param>
/// <param name="PerFrame">Per frame: index, tracked, faces, errorIod, innerLip, jaw.</param>
public sealed record VideoClipReportDocument(
    string Format, string Animation, string Clip, double Fps, int Frames, int FramesWithFace, int SeveralFacesFrames, double? MeanErrorIod,
    double? JawLipCorrelation, string Mode, int? ReferenceFrame, string Smoothing, int RefinementIterations, string LandmarkBackend, string Backend,
    IReadOnlyList<string> Warnings, IReadOnlyList<VideoClipFrameReport> PerFrame);

/// <summary>One frame of <see cref="VideoClipReportDocument.PerFrame"/>.</summary>
/// <param name="Frame">Index.</param>
/// <param name="Tracked">Whether a face was tracked (else interpolated).</param>
/// <param name="Faces">Faces found.</param>
/// <param name="ErrorIod">Reprojection error / inter-ocular distance (null when not tracked).</param>
/// <param name="InnerLip">Inner-lip distance / inter-ocular distance on the frame's 68 landmarks (null without a face).</param>
/// <param name="Jaw">Tracked jaw opening, radians (before transfer).</param>
public sealed record VideoClipFrameReport(int Frame, bool Tracked, int Faces, double? ErrorIod, double? InnerLip, double Jaw);

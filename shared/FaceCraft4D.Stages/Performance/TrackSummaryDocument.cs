namespace FaceCraft4D.Stages.Performance;

/// <summary><c>track.json</c> of a TrackVideo chunk.</summary>
/// <param name="Format"><c>fc4d-video-track/1</c>.</param>
/// <param name="Animation">Animation id.</param>
/// <param name="FirstFrame">First frame the chunk owns.</param>
/// <param name="FrameCount">Frames it owns.</param>
/// <param name="Overlap">Frames tracked past each border.</param>
/// <param name="TotalFrames">Frames of the whole video.</param>
/// <param name="TrackedFrom">First frame tracked (overlap included).</param>
/// <param name="TrackedFrames">Frames tracked (overlap included).</param>
/// <param name="FramesWithFace">Of those, frames with a face.</param>
/// <param name="SeveralFacesFrames">Frames with more than one face (the largest was tracked).</param>
/// <param name="MeanErrorIod">Mean landmark reprojection error over the inter-ocular distance (null without faces).</param>
/// <param name="Fps">Frame rate the video was resampled to.</param>
/// <param name="Width">Decoded frame width.</param>
/// <param name="Height">Decoded frame height.</param>
/// <param name="LandmarkBackend"><c>facemesh-attention</c>, <c>facemesh</c> or <c>face-api-68</c>.</param>
/// <param name="Detectors">The networks that found the faces and landmarks.</param>
/// <param name="Backend">E.g. <c>video-tracker:facemesh-attention</c>.</param>
/// <param name="Notes">E.g. the several-faces note.</param>
public sealed record TrackSummaryDocument(
    string Format, string Animation, int FirstFrame, int FrameCount, int Overlap, int TotalFrames, int TrackedFrom, int TrackedFrames,
    int FramesWithFace, int SeveralFacesFrames, double? MeanErrorIod, double Fps, int Width, int Height, string LandmarkBackend,
    string Detectors, string Backend, IReadOnlyList<string> Notes);

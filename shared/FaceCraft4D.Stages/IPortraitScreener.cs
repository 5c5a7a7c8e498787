namespace FaceCraft4D.Stages;

/// <summary>
/// A quick look at a photo before a run starts (worker side): is there a usable face? Backs the worker's
/// <c>POST /api/portraits/screen</c>, so that "no face" is refused with a 4xx before any run starts.
/// </summary>
public interface IPortraitScreener
{
    /// <summary>Screens encoded image bytes.</summary>
    Task<PortraitScreening> ScreenAsync(BinaryData image, CancellationToken cancellationToken);
}

/// <summary>The screening verdict.</summary>
/// <param name="Accepted">True when the photo can be processed.</param>
/// <param name="ReasonCode">Why not (e.g. <c>no-face</c>, <c>face-too-small</c>), when refused.</param>
/// <param name="Message">A sentence for the user.</param>
/// <param name="Faces">Faces found.</param>
/// <param name="Backend">Detector that decided.</param>
/// <param name="Warnings">E.g. several faces (the largest is used).</param>
public sealed record PortraitScreening(bool Accepted, string? ReasonCode, string Message, int Faces, string Backend, IReadOnlyList<string> Warnings);

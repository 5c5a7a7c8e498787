using FaceCraft4D.Contracts;

namespace FaceCraft4D.Api.Animations;

/// <summary>
/// Screens an uploaded video before anything is stored: readable, supported, within the limits, a face on most frames.
/// Throws <see cref="InvalidAnimationRequestException"/> when it is refused (or cannot be screened now).
/// </summary>
public interface IVideoScreen
{
    /// <summary>Screens the file at <paramref name="path"/>; returns the accepted verdict with the video's facts.</summary>
    Task<VideoScreening> ScreenAsync(string path, string? fileName, CancellationToken cancellationToken);
}

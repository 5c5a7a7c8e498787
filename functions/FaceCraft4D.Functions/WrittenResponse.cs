using Microsoft.AspNetCore.Mvc;

namespace FaceCraft4D.Functions;

/// <summary>
/// Binds an HTTP trigger to a shared handler (<see cref="FaceCraft4D.Api.AvatarHttpHandlers"/>, <see cref="FaceCraft4D.Api.Animations.AnimationHttpHandlers"/>,
/// <see cref="FaceCraft4D.Viewer.AvatarViewerHandlers"/>) that writes the whole response itself: the function awaits the
/// handler and returns an empty result, so the Functions host adds nothing to what the handler wrote.
/// </summary>
internal static class WrittenResponse
{
    /// <summary>Awaits <paramref name="handling"/> (the handler writing the response), then answers with nothing more.</summary>
    public static async Task<IActionResult> After(Task handling)
    {
        await handling;
        return new EmptyResult();
    }
}

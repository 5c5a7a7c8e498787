using System.Globalization;
using System.Text.RegularExpressions;
using FaceCraft4D.Pipeline.Animations;

namespace FaceCraft4D.Api.Animations;

/// <summary>What a caller asks for besides the video: the clip name, the expression transfer and the frame rate (all optional).</summary>
/// <param name="Name">Clip name (lower-case letters, digits, <c>-</c>, <c>_</c>; at most 48); null picks <c>video-{8 hex of the video}</c>.</param>
/// <param name="Mode"><c>relative</c> (default) or <c>absolute</c>.</param>
/// <param name="Fps">Clip frame rate as text (invariant culture); null is the default.</param>
public sealed partial record AnimationRequest(string? Name = null, string? Mode = null, string? Fps = null)
{
    /// <summary>The validated name, mode and fps; throws <see cref="InvalidAnimationRequestException"/> (400) naming the field.</summary>
    public (string Name, ExpressionTransfer Mode, double Fps) Resolve(string videoSha256, AnimationOptions options)
    {
        var name = string.IsNullOrWhiteSpace(Name) ? $"video-{videoSha256[..8]}" : Name.Trim();
        if (!NamePattern().IsMatch(name))
        {
            throw new InvalidAnimationRequestException("invalid-name",
                "'name' must be 1-48 characters: lower-case letters, digits, '-' or '_', starting with a letter or digit.");
        }

        if (!AnimationIdentity.TryParseMode(Mode, out var mode))
        {
            throw new InvalidAnimationRequestException("invalid-mode", "'mode' must be 'relative' or 'absolute'.");
        }

        var fps = options.DefaultFps;
        if (!string.IsNullOrWhiteSpace(Fps)
            && (!double.TryParse(Fps, NumberStyles.Float, CultureInfo.InvariantCulture, out fps) || !double.IsFinite(fps)
                || fps < options.MinFps || fps > options.MaxFps))
        {
            throw new InvalidAnimationRequestException("invalid-fps", $"'fps' must be a number from {options.MinFps} to {options.MaxFps}.");
        }

        return (name, mode, fps);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,47}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

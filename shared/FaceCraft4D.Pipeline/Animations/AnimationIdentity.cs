using System.Globalization;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>
/// Names a video animation job by its content: the same video with the same name, frame rate and transfer mode on the
/// same run is the same job (a second submission attaches to it; a restarted one reuses its finished chunks).
/// </summary>
public static class AnimationIdentity
{
    /// <summary>Prefix of every animation id.</summary>
    public const string Prefix = "anim-";

    /// <summary><c>anim-</c> + 16 hex of sha256(run id, video sha256, name, fps, mode).</summary>
    public static string For(string runId, string videoSha256, string name, double fps, ExpressionTransfer mode)
    {
        var text = string.Join('\n',
            $"run={runId}", $"video={videoSha256}", $"name={name}",
            $"fps={fps.ToString("R", CultureInfo.InvariantCulture)}", $"mode={ModeText(mode)}");
        return Prefix + ContentHash.OfText(text)[..16];
    }

    /// <summary>Durable instance id of a job: <c>{runId}.{animationId}</c>.</summary>
    public static string InstanceId(string runId, string animationId) => $"{runId}.{animationId}";

    /// <summary>Instance ids of a run's jobs start with this.</summary>
    public static string InstancePrefix(string runId) => $"{runId}.{Prefix}";

    /// <summary>True when the text has the shape of an animation id (guards blob paths and instance ids built from user input).</summary>
    public static bool IsValid(string? animationId) =>
        animationId is { Length: 21 }
        && animationId.StartsWith(Prefix, StringComparison.Ordinal)
        && !animationId.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef");

    /// <summary>The parameter text of a mode (<c>relative</c>, <c>absolute</c>).</summary>
    public static string ModeText(ExpressionTransfer mode) => mode switch
    {
        ExpressionTransfer.Relative => "relative",
        ExpressionTransfer.Absolute => "absolute",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Parses <c>relative</c>/<c>absolute</c> (case-insensitive); null or empty is relative.</summary>
    public static bool TryParseMode(string? text, out ExpressionTransfer mode)
    {
        mode = ExpressionTransfer.Relative;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("relative", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text.Trim().Equals("absolute", StringComparison.OrdinalIgnoreCase))
        {
            mode = ExpressionTransfer.Absolute;
            return true;
        }

        return false;
    }
}

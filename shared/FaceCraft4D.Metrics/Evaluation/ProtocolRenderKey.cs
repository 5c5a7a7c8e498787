using FaceCraft4D.Metrics.Protocol;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>
/// What a protocol render depends on besides the avatar: the camera's yaw, pitch and size and the FLAME expression's
/// values (not the view's or the expression's name). Two views with equal keys render the same image, e.g. the frames
/// of the built-in <c>jaw-open</c> clip on either side of its widest opening (angle = max sin(pi f / (F - 1)) is the same
/// float for f and F - 1 - f). Absent pose arrays equal empty ones (both mean zeros); values compare bit for bit.
/// </summary>
public sealed class ProtocolRenderKey : IEquatable<ProtocolRenderKey>
{
    private readonly double yaw;
    private readonly double pitch;
    private readonly int size;
    private readonly float[][] values;

    /// <summary>The key of <paramref name="camera"/>.</summary>
    public ProtocolRenderKey(CameraSpec camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        yaw = camera.YawDegrees;
        pitch = camera.PitchDegrees;
        size = camera.ImageSize;
        var e = camera.Expression;
        values = e is null ? [] : [e.Expression ?? [], e.JawPose ?? [], e.NeckPose ?? [], e.EyePose ?? []];
    }

    /// <inheritdoc />
    public bool Equals(ProtocolRenderKey? other)
    {
        if (other is null) return false;
        if (yaw.CompareTo(other.yaw) != 0 || pitch.CompareTo(other.pitch) != 0 || size != other.size || values.Length != other.values.Length) return false;
        for (int i = 0; i < values.Length; i++)
            if (!values[i].AsSpan().SequenceEqual(other.values[i])) return false;
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ProtocolRenderKey);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(yaw);
        hash.Add(pitch);
        hash.Add(size);
        foreach (var array in values)
        {
            hash.Add(array.Length);
            foreach (var v in array) hash.Add(v);
        }
        return hash.ToHashCode();
    }
}

namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// The tracked state of one frame of a driving video, fitted against the avatar's identity. The head pose is the FLAME
/// head's pose in the driving camera (OpenCV axes): <c>x_cam = D R(Rotation) x_flame + Translation</c> with
/// <c>D = diag(1, -1, -1)</c>; Rotation = 0 faces the camera. Landmarks on a face cannot tell the neck from the global
/// rotation, so the whole head rotation is here; the transfer decides where it goes.
/// </summary>
/// <param name="Frame">Frame index in the resampled video.</param>
/// <param name="Tracked">Whether a face was found and fitted on this frame (false: values carried from a neighbour).</param>
/// <param name="Expression">Expression coefficients [E'] (FLAME order).</param>
/// <param name="Jaw">Jaw rotation [3], axis-angle (only x, the opening, is fitted).</param>
/// <param name="Eyes">Eye rotations [6], left then right (x and y fitted when the dense mesh has irises).</param>
/// <param name="Rotation">Head rotation [3], axis-angle (radians).</param>
/// <param name="Translation">Head origin in camera coordinates [3], metres.</param>
/// <param name="ErrorIod">Mean landmark reprojection error over the inter-ocular distance (NaN when not tracked).</param>
/// <param name="FacesFound">Faces found on the frame.</param>
/// <param name="InnerLip">Inner-lip opening over the inter-ocular distance measured on the frame's 68 landmarks (NaN without a face).</param>
public sealed record PerformanceFrame(int Frame, bool Tracked, float[] Expression, float[] Jaw, float[] Eyes, float[] Rotation, float[] Translation,
    double ErrorIod, int FacesFound, double InnerLip)
{
    /// <summary>Values per frame of <see cref="ToVector"/> for <paramref name="expressionCount"/> coefficients: E + 3 + 6 + 3 + 3.</summary>
    public static int VectorLength(int expressionCount) => expressionCount + 15;

    /// <summary>[expression, jaw, eyes, rotation, translation].</summary>
    public float[] ToVector()
    {
        var v = new float[VectorLength(Expression.Length)];
        int e = Expression.Length;
        Expression.CopyTo(v, 0);
        Jaw.CopyTo(v, e);
        Eyes.CopyTo(v, e + 3);
        Rotation.CopyTo(v, e + 9);
        Translation.CopyTo(v, e + 12);
        return v;
    }

    /// <summary>The same frame with the parameters of <paramref name="v"/> (layout of <see cref="ToVector"/>).</summary>
    public PerformanceFrame WithVector(ReadOnlySpan<float> v)
    {
        int e = v.Length - 15;
        if (e < 0) throw new ArgumentException("Too few values.", nameof(v));
        return this with
        {
            Expression = v[..e].ToArray(), Jaw = v.Slice(e, 3).ToArray(), Eyes = v.Slice(e + 3, 6).ToArray(),
            Rotation = v.Slice(e + 9, 3).ToArray(), Translation = v.Slice(e + 12, 3).ToArray(),
        };
    }
}

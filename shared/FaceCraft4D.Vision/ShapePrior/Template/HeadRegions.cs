using System.Numerics;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Where an unseen point of the head is hair, skin or neck, from the fitted head's 3D landmarks (model frame:
/// +y up, face toward +z). Hair: behind the ears (z below the jaw-contour ends at ear level; when the portrait shows
/// hair over the temples, already behind the cheeks) and above the nape
/// line (the mouth's height), or anywhere higher than the brows by <see cref="HeadTextureOptions.CrownAboveBrows"/>.
/// Neck: below the chin, and behind the ears below the nape line. Skin: the rest (ears, cheeks, under the jaw). Transitions are smooth over
/// <see cref="HeadTextureOptions.RegionBlend"/>.
/// </summary>
public sealed class HeadRegions
{
    private readonly float browY, napeY, chinY, earZ, blend, crown, outlineMargin;
    // The outer eye corners (iBUG 36 / 45): mean |x| and z.
    private readonly float eyeCornerX, eyeCornerZ;
    // The jaw contour in 3D, each half from the temple (iBUG 0 / 16) down to the chin (8); null without the contour.
    private readonly Vector3[]? contourA, contourB;

    /// <summary>Places the regions from 3D landmarks (L * 3, in iBUG order when 68, or iBUG 17-67 when 51).</summary>
    /// <param name="landmarks3d">The fitted head's landmarks.</param>
    /// <param name="options">Blend widths and offsets.</param>
    /// <param name="sidesAreHair">Hair covers the temples and ears: the hair region then starts
    /// <see cref="HeadTextureOptions.TempleHairShare"/> of the way from the ears to the cheeks' back edge (jaw contour at
    /// eye height) instead of behind the ears.</param>
    /// <param name="napeHeight">Height (model y, metres) of the nape line, the hair's lower edge behind the ears; null: the
    /// mouth's height + <see cref="HeadTextureOptions.NapeOffset"/> (<see cref="HairLengthOptions"/> sets it from the portrait).</param>
    public HeadRegions(float[] landmarks3d, HeadTextureOptions options, bool sidesAreHair = false, float? napeHeight = null)
    {
        ArgumentNullException.ThrowIfNull(landmarks3d);
        ArgumentNullException.ThrowIfNull(options);
        int count = landmarks3d.Length / 3;
        var correspondence = LandmarkCorrespondence.ForModel(count);
        Vector3 P(int ibug)
        {
            int k = correspondence.IbugIndices.ToList().IndexOf(ibug);
            return new Vector3(landmarks3d[3 * k], landmarks3d[3 * k + 1], landmarks3d[3 * k + 2]);
        }
        browY = Enumerable.Range(17, 10).Average(i => P(i).Y);
        napeY = napeHeight ?? (float)(Enumerable.Range(48, 12).Average(i => P(i).Y) + options.NapeOffset);
        chinY = count == 68 ? P(8).Y : Enumerable.Range(48, 12).Min(i => P(i).Y) - 0.035f;
        earZ = count == 68 ? Math.Min(P(0).Z, P(16).Z) - 0.01f : (P(36).Z + P(45).Z) / 2 - 0.045f;
        // Hair over the temples: the hair starts TempleHairShare of the way from the ears to the cheeks' back edge
        // (jaw contour at eye height), so the side of the face keeps skin in front of the ear (a profile, not a helmet).
        if (sidesAreHair)
        {
            float cheekZ = count == 68 ? Math.Min(P(1).Z, P(15).Z) + 0.01f : (P(36).Z + P(45).Z) / 2 - 0.025f;
            earZ += (float)Math.Clamp(options.TempleHairShare, 0, 1) * (cheekZ - earZ);
        }
        if (count == 68)
        {
            contourA = Enumerable.Range(0, 9).Select(P).ToArray();
            contourB = Enumerable.Range(8, 9).Reverse().Select(P).ToArray();
        }
        eyeCornerX = (Math.Abs(P(36).X) + Math.Abs(P(45).X)) / 2;
        eyeCornerZ = (P(36).Z + P(45).Z) / 2;
        outlineMargin = (float)options.FaceOutlineDepthMargin;
        blend = (float)options.RegionBlend;
        crown = (float)options.CrownAboveBrows;
    }

    /// <summary>Height (model y, metres) of the nape line: behind the ears, hair above it, neck below.</summary>
    public float NapeHeight => napeY;

    /// <summary>Height (model y, metres) of the chin.</summary>
    public float ChinHeight => chinY;

    /// <summary>How far (0..1) a point lies behind the ears (or, with hair over the temples, behind where the side hair starts).</summary>
    public float BehindEars(Vector3 p) => Ramp(earZ - p.Z);

    /// <summary>Weights (hair, skin, neck) summing to 1 at a point.</summary>
    public (float Hair, float Skin, float Neck) Weights(Vector3 p)
    {
        float behind = BehindEars(p);
        float aboveNape = Ramp(p.Y - napeY);
        float top = Ramp(p.Y - (browY + crown));
        float hair = Math.Max(behind * aboveNape, top);
        // Neck colour below the chin, and at the back below the nape line (a collar or the nape's skin).
        float neck = (1 - hair) * Math.Max(Ramp(chinY - p.Y), behind * Ramp(napeY - p.Y));
        return (hair, 1 - hair - neck, neck);
    }

    /// <summary>
    /// How far (0..1) a point lies behind the jaw contour: its z below the contour's z at its height, on its side, by more
    /// than <see cref="HeadTextureOptions.FaceOutlineDepthMargin"/> (smooth over <see cref="HeadTextureOptions.RegionBlend"/>).
    /// The neck under the jaw and the side of the head are behind it; the face in front. 0 without the 68-point contour.
    /// </summary>
    public float BehindFaceOutline(Vector3 p)
    {
        if (contourA is null || contourB is null) return 0;
        var half = Math.Sign(contourA[0].X) == Math.Sign(p.X) ? contourA : contourB;
        float z;
        if (p.Y >= half[0].Y) z = half[0].Z;
        else if (p.Y <= half[^1].Y) z = half[^1].Z;
        else
        {
            z = half[^1].Z;
            for (int i = 0; i + 1 < half.Length; i++)
            {
                var (a, b) = (half[i], half[i + 1]);
                if ((p.Y <= a.Y) == (p.Y <= b.Y) || Math.Abs(a.Y - b.Y) < 1e-9f) continue;
                z = a.Z + (p.Y - a.Y) / (b.Y - a.Y) * (b.Z - a.Z);
                break;
            }
        }
        return Ramp(z - outlineMargin - p.Z);
    }

    /// <summary>
    /// How far (0..1) a point is the face's own skin below the brows: skin (<see cref="Weights"/>), in front of the face
    /// outline (1 - <see cref="BehindFaceOutline"/>), lower than the brows' mean height (smooth over
    /// <see cref="HeadTextureOptions.RegionBlend"/>). The cheeks, temples beside the eyes, nose, mouth and chin; not the
    /// forehead, the ears, the neck or the side of the head. 0 without the 68-point contour.
    /// </summary>
    public float FaceSkinBelowBrows(Vector3 p)
    {
        if (contourA is null) return 0;
        return Weights(p).Skin * (1 - BehindFaceOutline(p)) * Ramp(browY - p.Y);
    }

    /// <summary>
    /// How far (0..1) a point lies in the strip between the cheek and the ear: skin (<see cref="Weights"/>), below the hair
    /// line (brows + <see cref="HeadTextureOptions.CrownAboveBrows"/>) and above the chin, farther out than the outer eye
    /// corners' |x| and behind a depth half a <see cref="HeadTextureOptions.RegionBlend"/> in front of theirs (the temple, the
    /// cheek in front of the ear and the jaw below it: what a frontal portrait sees only at grazing angles). Smooth over
    /// <see cref="HeadTextureOptions.RegionBlend"/>.
    /// </summary>
    public float CheekToEarBand(Vector3 p)
    {
        float below = Ramp(browY + crown - p.Y) * Ramp(p.Y - chinY);
        float side = Ramp(Math.Abs(p.X) - eyeCornerX) * Ramp(eyeCornerZ + blend / 2 - p.Z);
        return Weights(p).Skin * below * side;
    }

    private float Ramp(float signedDistance) => SmoothStep(signedDistance / blend + 0.5f);

    /// <summary>Hermite smoothstep of t clamped to [0, 1] (shared by the template's region and shell blends).</summary>
    internal static float SmoothStep(float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        return t * t * (3 - 2 * t);
    }
}

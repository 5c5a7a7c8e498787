using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// The template backend's texture: the portrait projected onto the fitted head, completed where the portrait does
/// not see the surface. For a surface point p with normal n:
/// <list type="number">
/// <item>direct: project p with the reference camera; weight = facing ramp (cosine between n and the direction
/// to the camera, <see cref="HeadTextureOptions.FacingMin"/> to <see cref="HeadTextureOptions.FacingFull"/>)
/// (stricter, <see cref="HeadTextureOptions.BehindFaceFacingMin"/>, behind the jaw contour outside the hair)
/// x visibility (p at most <see cref="HeadTextureOptions.DepthTolerance"/> behind the reference z-buffer, the
/// farthest of the 2 x 2 texels around the projection, so silhouettes are not eaten) x foreground mask ramp;</item>
/// <item>symmetry: the same for the mirrored point (-x, y, z) with the mirrored normal, weighted by
/// <see cref="HeadTextureOptions.SymmetryWeight"/>, filling what the direct projection leaves;</item>
/// <item>statistics: the remaining weight goes to region colours (<see cref="HeadRegions"/>): hair colour with
/// strand noise scaled by the hair samples' spread, skin colour, neck colour (<see cref="HeadColourStatistics"/>).</item>
/// </list>
/// colour = w_d c_d + (1 - w_d) w_m c_m + (1 - w_d)(1 - w_m) c_region.
/// </summary>
public sealed class ProjectiveHeadTexture : ISurfaceColour
{
    private readonly RgbImage portrait;
    private readonly FloatImage mask;
    private readonly Camera camera;
    private readonly float[] zBuffer;
    private readonly HeadRegions regions;
    private readonly HeadColours colours;
    private readonly HairNoise noise;
    private readonly HeadTextureOptions options;
    private readonly Vector3 cameraPosition;
    private readonly FloatImage? faceOutline;

    /// <summary>Creates the texture function.</summary>
    /// <param name="portrait">The crop seen by <paramref name="referenceCamera"/>.</param>
    /// <param name="mask">The crop's foreground mask.</param>
    /// <param name="referenceCamera">The fitted camera of the crop (same resolution).</param>
    /// <param name="referenceDepth">Z-buffer of the head seen by the reference camera at the crop's resolution.</param>
    /// <param name="regions">Region layout of the head.</param>
    /// <param name="colours">Region colours.</param>
    /// <param name="seed">Seed of the hair noise.</param>
    /// <param name="options">Weights and thresholds.</param>
    /// <param name="faceOutline">The portrait's face (<see cref="FaceOutline"/>, crop resolution) or null: its pixels colour
    /// only the skin region of the head in front of the jaw contour (<see cref="HeadRegions.BehindFaceOutline"/>), never the neck
    /// or the hair behind the ears.</param>
    public ProjectiveHeadTexture(RgbImage portrait, FloatImage mask, Camera referenceCamera, DepthMap referenceDepth,
        HeadRegions regions, HeadColours colours, int seed, HeadTextureOptions options, FloatImage? faceOutline = null)
    {
        this.portrait = portrait ?? throw new ArgumentNullException(nameof(portrait));
        this.mask = mask ?? throw new ArgumentNullException(nameof(mask));
        camera = referenceCamera ?? throw new ArgumentNullException(nameof(referenceCamera));
        ArgumentNullException.ThrowIfNull(referenceDepth);
        if (referenceDepth.Width != portrait.Width || referenceDepth.Height != portrait.Height || camera.Width != portrait.Width)
            throw new ArgumentException("The portrait, its depth and its camera must share one resolution.");
        zBuffer = referenceDepth.Values.Data;
        this.regions = regions ?? throw new ArgumentNullException(nameof(regions));
        this.colours = colours ?? throw new ArgumentNullException(nameof(colours));
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        noise = new HairNoise(seed, options.HairNoiseAcross, options.HairNoiseAlong);
        if (faceOutline is not null && (faceOutline.Width != portrait.Width || faceOutline.Height != portrait.Height))
            throw new ArgumentException("The face outline must have the portrait's resolution.", nameof(faceOutline));
        this.faceOutline = faceOutline;
        var c = camera.Position;
        cameraPosition = new Vector3((float)c.X, (float)c.Y, (float)c.Z);
    }

    /// <inheritdoc />
    public Vector3 Colour(Vector3 point, Vector3 normal)
    {
        var (direct, wd) = Observe(point, normal);
        float wm = 0;
        var mirrored = Vector3.Zero;
        if (options.UseSymmetry && wd < 1)
        {
            (mirrored, wm) = Observe(new Vector3(-point.X, point.Y, point.Z), new Vector3(-normal.X, normal.Y, normal.Z));
            wm *= (float)options.SymmetryWeight;
        }
        var region = RegionColour(point);
        return wd * direct + (1 - wd) * (wm * mirrored + (1 - wm) * region);
    }

    /// <summary>Weight in [0, 1] with which the portrait itself (no symmetry, no statistics) colours the point.</summary>
    public float DirectWeight(Vector3 point, Vector3 normal) => Observe(point, normal).Weight;

    /// <summary>The portrait's colour at the point and the weight of that observation (facing x visibility x mask; 0 = unseen).</summary>
    public (Vector3 Colour, float Weight) ObserveDirect(Vector3 point, Vector3 normal) => Observe(point, normal);

    /// <summary>The region colour (statistics only) at a point.</summary>
    public Vector3 RegionColour(Vector3 point)
    {
        var (hair, skin, neck) = regions.Weights(point);
        var hairColour = colours.Hair * (1 + colours.HairVariation * noise.At(point));
        return Vector3.Clamp(hair * hairColour + skin * colours.Skin + neck * colours.Neck, Vector3.Zero, Vector3.One);
    }

    private (Vector3 Colour, float Weight) Observe(Vector3 p, Vector3 n)
    {
        var toCamera = cameraPosition - p;
        float cos = Vector3.Dot(n, Vector3.Normalize(toCamera));
        float facing = SmoothRamp.Of(cos, options.FacingMin, options.FacingFull);
        if (facing > 0 && options.BehindFaceFacingMin >= 0)
        {
            // Behind the jaw contour and not hair (side of the neck and jaw, cheek in front of the ear): a stricter ramp.
            float side = regions.BehindFaceOutline(p) * (1 - regions.Weights(p).Hair);
            if (side > 0) facing = Math.Min(facing, (1 - side) * facing + side * SmoothRamp.Of(cos, options.BehindFaceFacingMin, options.BehindFaceFacingFull));
        }
        if (facing <= 0) return (Vector3.Zero, 0);
        var (u, v, z) = camera.Project(new Vector3d(p.X, p.Y, p.Z));
        if (z <= 0 || u < 0 || v < 0 || u >= portrait.Width || v >= portrait.Height) return (Vector3.Zero, 0);
        if (!Visible(u, v, z)) return (Vector3.Zero, 0);
        float inMask = SmoothRamp.Of(mask.SampleBilinear(u, v), options.MaskMin, options.MaskFull);
        if (inMask <= 0) return (Vector3.Zero, 0);
        float own = 1;
        if (faceOutline is not null)
        {
            float face = faceOutline.SampleBilinear(u, v);
            if (face > 0) own = 1 - face * Math.Max(1 - regions.Weights(p).Skin, regions.BehindFaceOutline(p));
            // And the other way round: the face's skin below the brows takes only face pixels. Where the fitted face is
            // wider than the portrait's (the temples and cheeks beside the eyes), its pixels show the hair or the
            // background beside the face, not the skin under them.
            if (options.FaceSkinFromFaceOnly && face < 1) own *= 1 - (1 - face) * regions.FaceSkinBelowBrows(p);
            if (own <= 0) return (Vector3.Zero, 0);
        }
        return (portrait.SampleBilinear(u, v), facing * inMask * own);
    }

    private bool Visible(double u, double v, double z)
    {
        int x0 = (int)Math.Floor(u - 0.5), y0 = (int)Math.Floor(v - 0.5);
        double farthest = 0;
        for (int dy = 0; dy <= 1; dy++)
        for (int dx = 0; dx <= 1; dx++)
        {
            int x = Math.Clamp(x0 + dx, 0, portrait.Width - 1), y = Math.Clamp(y0 + dy, 0, portrait.Height - 1);
            float d = zBuffer[y * portrait.Width + x];
            if (d <= 0) return true; // background next to the point: nothing occludes it
            farthest = Math.Max(farthest, d);
        }
        return z <= farthest + options.DepthTolerance;
    }
}

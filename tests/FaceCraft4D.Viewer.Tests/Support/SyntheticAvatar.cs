using System.Text;
using FaceCraft4D.Viewer.Animation;

namespace FaceCraft4D.Viewer.Tests.Support;

/// <summary>
/// A synthetic Gaussian head for the viewer tests, written in the standard 3DGS PLY layout
/// (x y z nx ny nz f_dc_0..2 f_rest_0..44 opacity scale_0..2 rot_0..3; opacity as logit, scales as log, rot as w x y z):
/// Gaussians on an ellipsoid (semi-axes 8, 11, 9.5 cm; FLAME axes: +y up, face toward +z) coloured by direction so
/// every side looks different, with dark eyes, a red mouth and dark hair at the back and top. Its <c>jaw-open</c>
/// clip moves the lower front of the face down and forward.
/// </summary>
public sealed class SyntheticAvatar
{
    public const float Rx = 0.08f, Ry = 0.11f, Rz = 0.095f;
    private const double ShC0 = 0.28209479177387814;

    private SyntheticAvatar(float[] positions, float[] colours) { Positions = positions; Colours = colours; }

    /// <summary>x, y, z per Gaussian.</summary>
    public float[] Positions { get; }

    /// <summary>r, g, b in [0, 1] per Gaussian.</summary>
    public float[] Colours { get; }

    public int Count => Positions.Length / 3;

    public static SyntheticAvatar Create(int count, int seed)
    {
        var rng = new Random(seed);
        var p = new float[3 * count];
        var c = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            // uniform direction, then onto the ellipsoid surface (slightly inside, so the shell looks solid)
            double u = rng.NextDouble() * 2 - 1, t = rng.NextDouble() * 2 * Math.PI, s = Math.Sqrt(1 - u * u);
            double dx = s * Math.Cos(t), dy = u, dz = s * Math.Sin(t);
            double depth = 1 - 0.04 * rng.NextDouble();
            float x = (float)(Rx * dx * depth), y = (float)(Ry * dy * depth), z = (float)(Rz * dz * depth);
            (double r, double g, double b) col = (0.55 + 0.35 * dx, 0.55 + 0.35 * dy, 0.55 + 0.35 * dz);
            bool front = dz > 0.55;
            if (front) col = (0.93, 0.74, 0.62);                                                         // skin
            if (dy > 0.55 || dz < -0.2) col = (0.28, 0.17, 0.09);                                        // hair
            if (front && Math.Abs(Math.Abs(dx) - 0.32) < 0.11 && Math.Abs(dy - 0.18) < 0.07) col = (0.08, 0.08, 0.1); // eyes
            if (front && Math.Abs(dx) < 0.28 && Math.Abs(dy + 0.42) < 0.06) col = (0.75, 0.12, 0.15);   // mouth
            p[3 * i] = x; p[3 * i + 1] = y; p[3 * i + 2] = z;
            c[3 * i] = (float)col.r; c[3 * i + 1] = (float)col.g; c[3 * i + 2] = (float)col.b;
        }
        return new SyntheticAvatar(p, c);
    }

    /// <summary>Writes the binary little-endian PLY.</summary>
    public void WritePly(string path, float scale = 0.0065f)
    {
        var props = new List<string> { "x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2" };
        for (int k = 0; k < 45; k++) props.Add($"f_rest_{k}");
        props.AddRange(["opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"]);
        var header = new StringBuilder("ply\nformat binary_little_endian 1.0\n").Append($"element vertex {Count}\n");
        foreach (var name in props) header.Append($"property float {name}\n");
        header.Append("end_header\n");
        using var stream = File.Create(path);
        stream.Write(Encoding.ASCII.GetBytes(header.ToString()));
        using var w = new BinaryWriter(stream);
        float logScale = MathF.Log(scale), opacityLogit = 3.0f;
        for (int i = 0; i < Count; i++)
        {
            w.Write(Positions[3 * i]); w.Write(Positions[3 * i + 1]); w.Write(Positions[3 * i + 2]);
            w.Write(0f); w.Write(0f); w.Write(0f);
            for (int ch = 0; ch < 3; ch++) w.Write((float)((Colours[3 * i + ch] - 0.5) / ShC0));
            for (int k = 0; k < 45; k++) w.Write(0f);
            w.Write(opacityLogit);
            w.Write(logScale); w.Write(logScale); w.Write(logScale);
            w.Write(1f); w.Write(0f); w.Write(0f); w.Write(0f);
        }
    }

    /// <summary>
    /// The <c>jaw-open</c> clip: Gaussians of the lower front face (y below the nose, z &gt; 0) move down by up to
    /// <paramref name="maxDrop"/> metres (and slightly forward), weighted by how far below and in front they are;
    /// the opening follows sin(π f / (F − 1)).
    /// </summary>
    public IReadOnlyList<float[]> JawOpenClip(int frames, float maxDrop = 0.03f)
    {
        var result = new List<float[]>(frames);
        for (int f = 0; f < frames; f++)
        {
            float open = (float)Math.Sin(Math.PI * f / (frames - 1));
            var d = new float[Positions.Length];
            for (int i = 0; i < Count; i++)
            {
                float y = Positions[3 * i + 1], z = Positions[3 * i + 2];
                if (z <= 0 || y > -0.2f * Ry) continue;
                float wBelow = Math.Clamp((-0.2f * Ry - y) / (0.6f * Ry), 0, 1), wFront = Math.Clamp(z / Rz, 0, 1);
                float weight = MathF.Sqrt(wBelow) * wFront;
                d[3 * i + 1] = -maxDrop * open * weight;
                d[3 * i + 2] = 0.3f * maxDrop * open * weight;
            }
            result.Add(d);
        }
        return result;
    }

    /// <summary>avatar.ply plus animation/index.json + animation/jaw-open.f16 under <paramref name="root"/>.</summary>
    public async Task WriteArtifactsAsync(string root, int frames, CancellationToken ct)
    {
        Directory.CreateDirectory(root);
        WritePly(Path.Combine(root, "avatar.ply"));
        await GaussianAnimationWriter.WriteFolderAsync(root, Count, [("jaw-open", 12.0, JawOpenClip(frames))], GaussianAnimationWriter.Float16, ct);
    }
}

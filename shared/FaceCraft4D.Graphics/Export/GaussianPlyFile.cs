using System.Buffers.Binary;
using System.Text;
using FaceCraft4D.Graphics.Splatting;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Export;

/// <summary>
/// World-space Gaussians in the attribute layout of the 3DGS reference implementation (what viewers and converters
/// expect), as plain arrays: positions, DC and "rest" SH coefficients, opacity logit, log scales, unit quaternion (w,x,y,z).
/// </summary>
public sealed class PlyGaussians
{
    /// <summary>Number of Gaussians.</summary>
    public required int Count { get; init; }

    /// <summary>Positions [N * 3].</summary>
    public required float[] Positions { get; init; }

    /// <summary>DC coefficients [N * 3] (f_dc_0..2, SH space: rgb = 0.5 + C0 * dc).</summary>
    public required float[] ShDc { get; init; }

    /// <summary>Higher-order coefficients [N * 45] in file order: channel-major (f_rest_0..14 red bands 1..15, then green, then blue).</summary>
    public required float[] ShRest { get; init; }

    /// <summary>Opacity logits [N].</summary>
    public required float[] OpacityLogits { get; init; }

    /// <summary>Log scales [N * 3].</summary>
    public required float[] LogScales { get; init; }

    /// <summary>Unit quaternions (w, x, y, z) [N * 4].</summary>
    public required float[] Rotations { get; init; }
}

/// <summary>
/// Writes and reads the standard 3DGS .ply: <c>binary_little_endian 1.0</c>, one <c>vertex</c> element with float
/// properties x y z nx ny nz f_dc_0..2 f_rest_0..44 opacity scale_0..2 rot_0..3 (opacity as a logit, scales as logs,
/// normals zero, 45 rest coefficients even when fewer SH bands are used).
/// </summary>
public static class GaussianPlyFile
{
    /// <summary>Rest coefficients per Gaussian in the file (degree 3: 15 bands x 3 channels).</summary>
    public const int RestCount = 45;

    /// <summary>Property names in file order.</summary>
    public static IReadOnlyList<string> PropertyNames { get; } = BuildNames();

    private static string[] BuildNames()
    {
        var n = new List<string> { "x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2" };
        for (int i = 0; i < RestCount; i++) n.Add($"f_rest_{i}");
        n.Add("opacity");
        n.AddRange(new[] { "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3" });
        return n.ToArray();
    }

    /// <summary>
    /// Converts world-space Gaussians to the file layout. <paramref name="shCoefficients"/> is [N, K, 3] (K &lt;= 16; padded),
    /// <paramref name="opacityLogits"/> [N], <paramref name="logScales"/> [N, 3], <paramref name="quaternions"/> [N, 4] (normalised here).
    /// </summary>
    public static PlyGaussians FromTensors(Tensor means, Tensor shCoefficients, Tensor opacityLogits, Tensor logScales, Tensor quaternions)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long n = means.shape[0];
        float[] F(Tensor t) => t.detach().to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var sh = shCoefficients.detach().to_type(ScalarType.Float32);
        long k = sh.shape[1];
        if (k > 16) throw new ArgumentException("At most 16 SH coefficients (degree 3) fit the standard layout.", nameof(shCoefficients));
        var rest = torch.zeros(new long[] { n, 15, 3 });
        if (k > 1) rest.narrow(1, 0, k - 1).copy_(sh.narrow(1, 1, k - 1).cpu());
        return new PlyGaussians
        {
            Count = (int)n,
            Positions = F(means),
            ShDc = F(sh.select(1, 0)),
            ShRest = F(rest.transpose(1, 2).reshape(n, RestCount)),
            OpacityLogits = F(opacityLogits.reshape(n)),
            LogScales = F(logScales),
            Rotations = F(torch.nn.functional.normalize(quaternions.detach().to_type(ScalarType.Float32), p: 2, dim: 1)),
        };
    }

    /// <summary>Writes the file.</summary>
    public static async Task WriteAsync(PlyGaussians g, Stream stream, CancellationToken cancellationToken = default)
    {
        var header = new StringBuilder();
        header.Append("ply\nformat binary_little_endian 1.0\n");
        header.Append("comment FaceCraft4D Gaussian avatar (3DGS layout)\n");
        header.Append("element vertex ").Append(g.Count).Append('\n');
        foreach (var name in PropertyNames) header.Append("property float ").Append(name).Append('\n');
        header.Append("end_header\n");
        var headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        await stream.WriteAsync(headerBytes, cancellationToken).ConfigureAwait(false);

        int floatsPerVertex = PropertyNames.Count;
        const int batch = 4096;
        var buffer = new byte[batch * floatsPerVertex * 4];
        for (int start = 0; start < g.Count; start += batch)
        {
            int len = Math.Min(batch, g.Count - start);
            int o = 0;
            void W(float v) { BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(o, 4), v); o += 4; }
            for (int i = start; i < start + len; i++)
            {
                W(g.Positions[3 * i]); W(g.Positions[3 * i + 1]); W(g.Positions[3 * i + 2]);
                W(0); W(0); W(0);
                W(g.ShDc[3 * i]); W(g.ShDc[3 * i + 1]); W(g.ShDc[3 * i + 2]);
                for (int r = 0; r < RestCount; r++) W(g.ShRest[RestCount * i + r]);
                W(g.OpacityLogits[i]);
                W(g.LogScales[3 * i]); W(g.LogScales[3 * i + 1]); W(g.LogScales[3 * i + 2]);
                for (int r = 0; r < 4; r++) W(g.Rotations[4 * i + r]);
            }
            await stream.WriteAsync(buffer.AsMemory(0, len * floatsPerVertex * 4), cancellationToken).ConfigureAwait(false);
        }
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Longest header line read (a stream with no newline is refused rather than buffered without bound).</summary>
    public const int MaxHeaderLineLength = 1024;

    /// <summary>Reads a binary little-endian 3DGS .ply with float properties (any order; missing f_rest are zero).</summary>
    public static async Task<PlyGaussians> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var headerLines = new List<string>();
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0) throw new InvalidDataException("PLY header ended early.");
            if (one[0] == (byte)'\n')
            {
                var l = line.ToString().TrimEnd('\r');
                headerLines.Add(l);
                line.Clear();
                if (l == "end_header") break;
                if (headerLines.Count > 1000) throw new InvalidDataException("PLY header too long.");
            }
            else if (line.Length >= MaxHeaderLineLength) throw new InvalidDataException($"PLY header line longer than {MaxHeaderLineLength} characters.");
            else line.Append((char)one[0]);
        }
        if (headerLines[0] != "ply") throw new InvalidDataException("Not a PLY file.");
        if (!headerLines.Contains("format binary_little_endian 1.0")) throw new InvalidDataException("Only binary_little_endian PLY is supported.");
        long vertexCount = -1;
        var props = new List<string>();
        bool inVertex = false;
        foreach (var l in headerLines)
        {
            var parts = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts[0] == "element")
            {
                if (parts.Length < 3 || !long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var declared))
                    throw new InvalidDataException($"PLY element line '{l}' has no valid count.");
                inVertex = parts[1] == "vertex";
                if (inVertex) vertexCount = declared;
                else if (declared > 0) throw new InvalidDataException("Only a vertex element is supported.");
            }
            else if (parts[0] == "property" && inVertex)
            {
                if (parts.Length < 3) throw new InvalidDataException($"PLY property line '{l}' is incomplete.");
                if (parts[1] != "float") throw new InvalidDataException($"Property '{parts[^1]}' is {parts[1]}; only float is supported.");
                props.Add(parts[2]);
            }
        }
        if (vertexCount < 0) throw new InvalidDataException("PLY has no vertex element.");
        int stride = props.Count;
        int count = CheckedVertexCount(vertexCount, stride, stream);
        var data = await ReadBodyAsync(stream, count * stride * 4, cancellationToken).ConfigureAwait(false);
        var index = props.Select((p, i) => (p, i)).ToDictionary(t => t.p, t => t.i);
        float Get(int v, string name) =>
            index.TryGetValue(name, out int i) ? BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(checked((int)(((long)v * stride + i) * 4)), 4)) : 0f;
        var g = new PlyGaussians
        {
            Count = count,
            Positions = new float[count * 3], ShDc = new float[count * 3], ShRest = new float[count * RestCount],
            OpacityLogits = new float[count], LogScales = new float[count * 3], Rotations = new float[count * 4],
        };
        for (int v = 0; v < count; v++)
        {
            for (int c = 0; c < 3; c++)
            {
                g.Positions[3 * v + c] = Get(v, "xyz"[c].ToString());
                g.ShDc[3 * v + c] = Get(v, $"f_dc_{c}");
                g.LogScales[3 * v + c] = Get(v, $"scale_{c}");
            }
            for (int r = 0; r < RestCount; r++) g.ShRest[RestCount * v + r] = Get(v, $"f_rest_{r}");
            g.OpacityLogits[v] = Get(v, "opacity");
            for (int r = 0; r < 4; r++) g.Rotations[4 * v + r] = Get(v, $"rot_{r}");
        }
        return g;
    }

    /// <summary>
    /// The declared vertex count, checked before anything is allocated: count x record size must not overflow, must fit one
    /// array (and the per-Gaussian arrays of <see cref="PlyGaussians"/>), and, on a seekable stream, must fit the bytes left.
    /// </summary>
    private static int CheckedVertexCount(long declared, int stride, Stream stream)
    {
        long recordBytes = (long)stride * sizeof(float);
        long bodyBytes;
        try
        {
            bodyBytes = checked(declared * recordBytes);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"PLY header declares {declared} vertices of {recordBytes} bytes: the size overflows.");
        }

        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (bodyBytes > remaining)
                throw new InvalidDataException(
                    $"PLY header declares {declared} vertices x {recordBytes} bytes = {bodyBytes} bytes, but the body has {remaining} bytes.");
        }

        // The largest per-Gaussian array is ShRest (RestCount floats per vertex); the body is one byte array.
        if (bodyBytes > Array.MaxLength || declared > Array.MaxLength / RestCount)
            throw new InvalidDataException($"PLY header declares {declared} vertices ({bodyBytes} bytes): too large to read.");
        return (int)declared;
    }

    /// <summary>
    /// Reads exactly <paramref name="length"/> body bytes. A non-seekable stream is read in chunks so a header that lies
    /// about its size costs no more memory than the bytes actually sent.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(Stream stream, int length, CancellationToken cancellationToken)
    {
        const int chunk = 1 << 20;
        using var body = new MemoryStream(stream.CanSeek ? length : Math.Min(length, chunk));
        var buffer = new byte[Math.Min(length, chunk)];
        while (body.Length < length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - body.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new InvalidDataException(
                    $"PLY body is truncated: the header declares {length} bytes of vertices, but the file ends after {body.Length}.");
            body.Write(buffer, 0, read);
        }

        return body.Length == body.Capacity ? body.GetBuffer() : body.ToArray();
    }
}

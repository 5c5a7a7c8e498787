using System.Buffers.Binary;
using System.Text;

namespace FaceCraft4D.Stages.Training;

/// <summary>Reads the vertex colours of the shape prior's <c>head.ply</c> (binary little-endian: <c>x y z</c> float, <c>red green blue</c> uchar per vertex).</summary>
public static class HeadMeshColours
{
    /// <summary>Bytes of one vertex record: three floats and three bytes.</summary>
    private const int VertexBytes = 15;

    /// <summary>
    /// V x 3 colours in [0, 1], or null when the file is not in that layout or its declared vertex count does not fit
    /// the bytes that follow the header (checked in 64-bit arithmetic before anything is allocated).
    /// </summary>
    public static float[]? TryRead(ReadOnlySpan<byte> ply)
    {
        int end = ply.IndexOf("end_header\n"u8);
        if (end < 0 || !ply.StartsWith("ply\nformat binary_little_endian 1.0\n"u8)) return null;
        var header = Encoding.ASCII.GetString(ply[..end]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int count = -1;
        var properties = new List<string>();
        bool inVertex = false;
        foreach (var line in header)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts[0] == "element")
            {
                inVertex = parts.Length == 3 && parts[1] == "vertex";
                if (inVertex && !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count)) return null;
            }
            else if (parts[0] == "property" && inVertex)
            {
                properties.Add(string.Join(' ', parts.Skip(1)));
            }
        }
        string[] expected = ["float x", "float y", "float z", "uchar red", "uchar green", "uchar blue"];
        if (count <= 0 || !properties.SequenceEqual(expected)) return null;
        var body = ply[(end + "end_header\n".Length)..];
        if (body.Length < (long)count * VertexBytes) return null; // a lying count: no allocation, no overflow
        var colours = new float[count * 3];
        for (int v = 0; v < count; v++)
            for (int c = 0; c < 3; c++)
                colours[3 * v + c] = body[VertexBytes * v + 12 + c] / 255f;
        return colours;
    }

    /// <summary>Reads V x 3 little-endian floats (the shape prior's <c>vertex-offsets.f32</c>).</summary>
    public static float[] ReadFloats(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        return values;
    }
}

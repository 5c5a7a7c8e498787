using System.Text;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// Reads the vertex colours of the shape prior's <c>head.ply</c> (the Vision <c>PlyMeshWriter</c> layout: binary
/// little-endian, vertex = float x, y, z + uchar red, green, blue, then the faces).
/// </summary>
public static class PlyVertexColours
{
    /// <summary>Bytes of one vertex record: three floats and three bytes.</summary>
    private const int VertexBytes = 15;

    /// <summary>Colours [V * 3] in [0, 1]; the vertex records must fit the bytes after the header (checked in 64-bit arithmetic).</summary>
    public static float[] Read(byte[] ply, int vertexCount)
    {
        ArgumentNullException.ThrowIfNull(ply);
        ArgumentOutOfRangeException.ThrowIfNegative(vertexCount);
        var marker = Encoding.ASCII.GetBytes("end_header\n");
        int end = ply.AsSpan().IndexOf(marker);
        if (end < 0) throw new StageInputException("input-invalid", "head.ply has no PLY header.");
        var header = Encoding.ASCII.GetString(ply, 0, end);
        if (!header.Contains("binary_little_endian", StringComparison.Ordinal) || !header.Contains("property uchar red", StringComparison.Ordinal)
            || !header.Contains($"element vertex {vertexCount}\n", StringComparison.Ordinal))
            throw new StageInputException("input-invalid", $"head.ply is not the shape prior's layout with {vertexCount} coloured vertices.");
        int offset = end + marker.Length;
        if (ply.Length - (long)offset < (long)vertexCount * VertexBytes)
            throw new StageInputException("input-invalid", $"head.ply is truncated: {vertexCount} vertices need {(long)vertexCount * VertexBytes} bytes, {ply.Length - offset} follow the header.");
        var colours = new float[vertexCount * 3];
        for (int v = 0; v < vertexCount; v++)
            for (int c = 0; c < 3; c++) colours[3 * v + c] = ply[offset + VertexBytes * v + 12 + c] / 255f;
        return colours;
    }
}

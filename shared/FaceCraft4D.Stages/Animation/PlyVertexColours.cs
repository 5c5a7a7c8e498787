using System.Text;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// Reads the vertex colours of the shape prior's <c>head.ply</c> (the Vision <c>PlyMeshWriter</c> layout: binary
/// little-endian, vertex = float x, y, z + uchar red, green, blue, then the faces).
/// </summary>
public static class PlyVertexColours
{
    /// <summary>Colours [V * 3] in [0, 1].</summary>
    public static float[] Read(byte[] ply, int vertexCount)
    {
        ArgumentNullException.ThrowIfNull(ply);
        var marker = Encoding.ASCII.GetBytes("end_header\n");
        int end = ply.AsSpan().IndexOf(marker);
        if (end < 0) throw new StageInputException("input-invalid", "head.ply has no PLY header.");
        var header = Encoding.ASCII.GetString(ply, 0, end);
        if (!header.Contains("binary_little_endian", StringComparison.Ordinal) || !header.Contains("property uchar red", StringComparison.Ordinal)
            || !header.Contains($"element vertex {vertexCount}\n", StringComparison.Ordinal))
            throw new StageInputException("input-invalid", $"head.ply is not the shape prior's layout with {vertexCount} coloured vertices.");
        int offset = end + marker.Length;
        if (ply.Length < offset + vertexCount * 15) throw new StageInputException("input-invalid", "head.ply is truncated.");
        var colours = new float[vertexCount * 3];
        for (int v = 0; v < vertexCount; v++)
            for (int c = 0; c < 3; c++) colours[3 * v + c] = ply[offset + 15 * v + 12 + c] / 255f;
        return colours;
    }
}

using System.Buffers.Binary;
using System.Text;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// Writes a triangle mesh with per-vertex colours as binary little-endian PLY: <c>vertex</c> (float x, y, z;
/// uchar red, green, blue) and <c>face</c> (list uchar int vertex_indices). Readable by Blender, MeshLab, Open3D.
/// </summary>
public static class PlyMeshWriter
{
    /// <summary>The PLY file bytes; <paramref name="vertexColours"/> is V * 3 floats in [0, 1].</summary>
    public static byte[] Write(TriangleMesh mesh, float[] vertexColours, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(vertexColours);
        if (vertexColours.Length != mesh.Positions.Length) throw new ArgumentException("Expected one colour per vertex.", nameof(vertexColours));
        var header = new StringBuilder()
            .Append("ply\nformat binary_little_endian 1.0\n");
        if (!string.IsNullOrWhiteSpace(comment)) header.Append("comment ").Append(comment.ReplaceLineEndings(" ")).Append('\n');
        header.Append($"element vertex {mesh.VertexCount}\nproperty float x\nproperty float y\nproperty float z\n")
            .Append("property uchar red\nproperty uchar green\nproperty uchar blue\n")
            .Append($"element face {mesh.TriangleCount}\nproperty list uchar int vertex_indices\nend_header\n");
        var head = Encoding.ASCII.GetBytes(header.ToString());
        var bytes = new byte[head.Length + mesh.VertexCount * 15 + mesh.TriangleCount * 13];
        head.CopyTo(bytes, 0);
        int o = head.Length;
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            for (int k = 0; k < 3; k++) { BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(o), mesh.Positions[3 * v + k]); o += 4; }
            for (int k = 0; k < 3; k++) bytes[o++] = (byte)Math.Clamp((int)(vertexColours[3 * v + k] * 255f + 0.5f), 0, 255);
        }
        for (int t = 0; t < mesh.TriangleCount; t++)
        {
            bytes[o++] = 3;
            for (int k = 0; k < 3; k++) { BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(o), mesh.Triangles[3 * t + k]); o += 4; }
        }
        return bytes;
    }
}

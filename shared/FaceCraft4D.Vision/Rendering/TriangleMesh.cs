using System.Numerics;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// An indexed triangle mesh in world coordinates (metres): positions [V, 3] and triangles [F, 3], counter-clockwise
/// seen from outside (the FLAME convention). Plain arrays, so the rasterizer and the texture code run without tensors.
/// </summary>
public sealed class TriangleMesh
{
    /// <summary>Wraps positions (V * 3 floats) and triangles (F * 3 vertex indices).</summary>
    public TriangleMesh(float[] positions, int[] triangles)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(triangles);
        if (positions.Length % 3 != 0) throw new ArgumentException("Positions must be V * 3 floats.", nameof(positions));
        if (triangles.Length % 3 != 0) throw new ArgumentException("Triangles must be F * 3 indices.", nameof(triangles));
        int v = positions.Length / 3;
        foreach (var i in triangles)
            if ((uint)i >= (uint)v) throw new ArgumentException($"Triangle index {i} is outside 0..{v - 1}.", nameof(triangles));
        Positions = positions;
        Triangles = triangles;
    }

    /// <summary>Vertex positions, V * 3.</summary>
    public float[] Positions { get; }

    /// <summary>Vertex indices, F * 3.</summary>
    public int[] Triangles { get; }

    /// <summary>Number of vertices V.</summary>
    public int VertexCount => Positions.Length / 3;

    /// <summary>Number of triangles F.</summary>
    public int TriangleCount => Triangles.Length / 3;

    /// <summary>Position of vertex <paramref name="v"/>.</summary>
    public Vector3 Position(int v) => new(Positions[3 * v], Positions[3 * v + 1], Positions[3 * v + 2]);

    /// <summary>Builds a mesh from tensors: vertices [V, 3] (any float type, any device) and faces [F, 3] (integer).</summary>
    public static TriangleMesh FromTensors(Tensor vertices, Tensor faces)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        ArgumentNullException.ThrowIfNull(faces);
        if (vertices.ndim != 2 || vertices.shape[1] != 3) throw new ArgumentException("Vertices must be [V, 3].", nameof(vertices));
        if (faces.ndim != 2 || faces.shape[1] != 3) throw new ArgumentException("Faces must be [F, 3].", nameof(faces));
        using var v = vertices.detach().to(ScalarType.Float32).cpu().contiguous();
        using var f = faces.to(ScalarType.Int32).cpu().contiguous();
        return new TriangleMesh(v.data<float>().ToArray(), f.data<int>().ToArray());
    }

    /// <summary>Area-weighted unit vertex normals (V * 3), pointing outward for counter-clockwise triangles.</summary>
    public float[] VertexNormals()
    {
        var sum = new Vector3[VertexCount];
        for (int t = 0; t < TriangleCount; t++)
        {
            int a = Triangles[3 * t], b = Triangles[3 * t + 1], c = Triangles[3 * t + 2];
            var n = Vector3.Cross(Position(b) - Position(a), Position(c) - Position(a)); // length = 2 * area
            sum[a] += n;
            sum[b] += n;
            sum[c] += n;
        }
        var normals = new float[Positions.Length];
        for (int v = 0; v < VertexCount; v++)
        {
            var n = sum[v].LengthSquared() > 0 ? Vector3.Normalize(sum[v]) : Vector3.UnitY;
            normals[3 * v] = n.X;
            normals[3 * v + 1] = n.Y;
            normals[3 * v + 2] = n.Z;
        }
        return normals;
    }

    /// <summary>Axis-aligned bounds of the vertices.</summary>
    public (Vector3 Min, Vector3 Max) Bounds()
    {
        var min = new Vector3(float.MaxValue);
        var max = new Vector3(float.MinValue);
        for (int v = 0; v < VertexCount; v++)
        {
            min = Vector3.Min(min, Position(v));
            max = Vector3.Max(max, Position(v));
        }
        return (min, max);
    }

    /// <summary>The triangles whose index is below <paramref name="count"/> (e.g. the head without the appended teeth).</summary>
    public TriangleMesh WithFirstTriangles(int count)
    {
        if (count < 0 || count > TriangleCount) throw new ArgumentOutOfRangeException(nameof(count));
        return new TriangleMesh(Positions, Triangles[..(3 * count)]);
    }
}

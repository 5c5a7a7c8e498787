namespace FaceCraft4D.Vision.Rendering;

/// <summary>Settings of <see cref="MeshRasterizer"/>.</summary>
public sealed class MeshRasterizerOptions
{
    /// <summary>Triangles with a corner closer to the camera than this (metres) are dropped (no clipping; heads are far away).</summary>
    public double NearPlane { get; set; } = 0.01;

    /// <summary>Drop triangles facing away from the camera (counter-clockwise seen from outside is the front).</summary>
    public bool CullBackFaces { get; set; }
}

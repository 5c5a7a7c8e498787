namespace FaceCraft4D.Animation.Mouth;

/// <summary>
/// Where the mouth interior sits in an augmented head model: the material of every triangle and a depth fraction per
/// vertex (0 at the lips and on the head surface, 1 at the back of the cavity) used to darken the inside.
/// </summary>
/// <param name="Materials">Material of each triangle [F'].</param>
/// <param name="VertexDepth">Depth fraction of each vertex [V'].</param>
/// <param name="HeadFaceCount">Triangles of the head surface (textured), before teeth and cavity.</param>
/// <param name="CavityVertexStart">First cavity vertex (V' when there is no cavity).</param>
/// <param name="CavityFaceStart">First cavity triangle (F' when there is no cavity).</param>
/// <param name="MouthLoop">The mouth boundary the cavity is attached to (empty when none was found).</param>
public sealed record MouthInteriorLayout(
    MouthMaterial[] Materials,
    float[] VertexDepth,
    int HeadFaceCount,
    int CavityVertexStart,
    int CavityFaceStart,
    int[] MouthLoop)
{
    /// <summary>True when a cavity was added.</summary>
    public bool HasCavity => MouthLoop.Length > 0;
}

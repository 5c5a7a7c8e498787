namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>Dense landmarks in stage 1 (bind from "Preprocess:FaceMesh").</summary>
public sealed class FaceMeshOptions
{
    /// <summary>Run FaceMesh after the 68 landmarks. Off, or its model missing: the result carries only the 68 points.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Attention (478 points, refined lips/eyes/irises) or the plain 468-point mesh.</summary>
    public FaceMeshVariant Variant { get; set; } = FaceMeshVariant.Attention;
    /// <summary>Folder with facemesh.json / facemesh-attention.json (+ .bin). Null: <see cref="HumanModelsLocator"/> (FC4D_HUMAN_MODELS, else the npm install).</summary>
    public string? ModelsPath { get; set; }
    /// <summary>
    /// Crop passes: the first crop comes from the 68 landmarks, each further pass re-crops around the previous
    /// mesh with MediaPipe's tracking ROI (eye corners 33-263 level, bounds x 1.5).
    /// </summary>
    public int Passes { get; set; } = 2;
    /// <summary>First-pass crop side as a multiple of the 68 landmarks' extent (they stop at the brows, the mesh reaches the forehead).</summary>
    public double FirstPassScale { get; set; } = 1.7;
    /// <summary>First-pass centre shift towards the forehead, as a fraction of the 68 landmarks' extent.</summary>
    public double FirstPassShiftUp { get; set; } = 0.1;
    /// <summary>MediaPipe's ROI scale around the mesh.</summary>
    public double MeshRoiScale { get; set; } = 1.5;
    /// <summary>Below this face-presence probability the mesh is dropped (the 68 points are used, with a warning).</summary>
    public double MinFaceScore { get; set; } = 0.5;
}

namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>
/// Raw outputs of one FaceMesh graph run on a 192x192 crop, in crop pixels (0..192; z in the same pixel scale,
/// negative towards the camera, relative to the face centre). Region arrays are null for the plain variant.
/// </summary>
public sealed record FaceMeshRawOutput(
    /// <summary>468 x (x, y, z) interleaved.</summary>
    float[] Mesh,
    /// <summary>Probability that the crop shows a face (sigmoid of the face-flag logit).</summary>
    float FaceScore,
    /// <summary>80 x (x, y): lips refinement (attention variant).</summary>
    float[]? Lips,
    /// <summary>71 x (x, y) around the image-left eye (mesh indices <see cref="FaceMeshRefinement.ImageLeftEye"/>).</summary>
    float[]? ImageLeftEye,
    /// <summary>71 x (x, y) around the image-right eye.</summary>
    float[]? ImageRightEye,
    /// <summary>5 x (x, y): image-left iris (centre, then edges), landmarks 468-472.</summary>
    float[]? ImageLeftIris,
    /// <summary>5 x (x, y): image-right iris, landmarks 473-477.</summary>
    float[]? ImageRightIris);

using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Stages.ShapePrior;

/// <summary>The head model a fit refers to.</summary>
/// <param name="Name">Model name (e.g. <c>fc4d-procedural-head</c>, <c>flame2023</c>).</param>
/// <param name="Source"><c>builtin:...</c> or the models-store path of the operator's FLAME.</param>
/// <param name="File">The model file among this stage's outputs (<c>head-model.safetensors</c>), null for an operator's FLAME (use <paramref name="Source"/>).</param>
/// <param name="VertexCount">V.</param>
/// <param name="FaceCount">F.</param>
/// <param name="ShapeCount">Identity components of the model.</param>
/// <param name="ExpressionCount">Expression components of the model.</param>
/// <param name="LandmarkCount">Embedded landmarks (68, or FLAME's static 51).</param>
/// <param name="HasUv">Whether the model has texture coordinates (then <c>texture.png</c> exists).</param>
public sealed record HeadModelReference(string Name, string Source, string? File, int VertexCount, int FaceCount, int ShapeCount, int ExpressionCount, int LandmarkCount, bool HasUv);

/// <summary>The rigid pose of the head in the reference camera (x_cam = D M x_head + t, D = diag(1, -1, -1)).</summary>
public sealed record HeadPoseDocument(double[] Rotation, double[] Translation, double YawDegrees, double PitchDegrees, double RollDegrees);

/// <summary>How the orbit views were placed.</summary>
/// <param name="Pivot">World point on the rotation axis.</param>
/// <param name="Axis">Rotation axis (world +y).</param>
/// <param name="ViewCount">Views.</param>
/// <param name="StepDegrees">Turn between consecutive views; positive moves the camera toward +x.</param>
public sealed record OrbitDocument(double[] Pivot, double[] Axis, int ViewCount, double StepDegrees);

/// <summary>Colours used to complete the unseen head, RGB in [0, 1].</summary>
public sealed record HeadColoursDocument(float[] Skin, float[] Hair, float HairVariation, float[] Neck, bool HairFound, bool SidesAreHair);

/// <summary>
/// <c>flame.json</c>: FLAME parameters (FLAME order and units; rotations axis-angle in radians) of the head in
/// the world frame (the FLAME frame: +y up, face toward +z, metres; global rotation and translation are zero),
/// the reference camera that sees it as in the portrait, and everything needed to re-render it.
/// The rendered mesh (<c>head.ply</c>) is FLAME(shape, expression, pose) plus <c>vertex-offsets.f32</c>.
/// <c>fittedLandmarks</c> are the model's 68 landmarks projected by the reference camera (null where the model has none).
/// <c>landmarkFit</c> names the landmarks the head was fitted to (<c>ibug-68</c>, <c>facemesh-468</c>, <c>facemesh-478</c>;
/// null in files written before it existed); with the irises the fitted eye rotations are in <c>eyes</c>.
/// </summary>
public sealed record FlameFitDocument(
    HeadModelReference Model,
    float[] Shape,
    float[] Expression,
    float[] GlobalRotation,
    float[] Neck,
    float[] Jaw,
    float[] Eyes,
    float[] Translation,
    string VertexOffsets,
    string Mesh,
    string? Texture,
    Camera ReferenceCamera,
    HeadPoseDocument HeadPose,
    OrbitDocument Orbit,
    double LandmarkRmsPixels,
    IReadOnlyList<float[]?> FittedLandmarks,
    HeadColoursDocument? Colours,
    string Backend,
    string? LandmarkFit = null);

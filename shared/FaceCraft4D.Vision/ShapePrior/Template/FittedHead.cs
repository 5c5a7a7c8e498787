using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// A FLAME-format head fitted to a portrait's landmarks. The head stays in the model frame (global rotation and
/// translation zero; +y up, face toward +z, metres); the fitted rigid pose is carried by the reference camera.
/// </summary>
/// <param name="Shape">Identity coefficients (as many as were fitted; the rest are zero).</param>
/// <param name="Expression">Expression coefficients.</param>
/// <param name="Jaw">Jaw rotation, axis-angle (radians).</param>
/// <param name="Pose">Head pose in the reference camera.</param>
/// <param name="ReferenceCamera">The crop's camera: intrinsics of the crop and the pose's extrinsics.</param>
/// <param name="FittedLandmarks">The model's landmarks projected by the reference camera (iBUG order, x/y interleaved, pixel centres at +0.5; NaN where the model has none).</param>
/// <param name="LandmarkRmsPixels">Root mean square distance between projected and detected landmarks, pixels.</param>
/// <param name="Energy">Final value of the fitting energy.</param>
public sealed record FittedHead(
    float[] Shape,
    float[] Expression,
    float[] Jaw,
    HeadPose Pose,
    Camera ReferenceCamera,
    float[] FittedLandmarks,
    double LandmarkRmsPixels,
    double Energy);

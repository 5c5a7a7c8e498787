namespace FaceCraft4D.Vision.ShapePrior;

/// <summary>Names of the landmark sets a head can be fitted to (<see cref="ShapePriorResult.LandmarkFit"/>).</summary>
public static class LandmarkFitNames
{
    /// <summary>The 68 iBUG landmarks of the face-api.js landmark net.</summary>
    public const string Ibug68 = "ibug-68";

    /// <summary>Dense MediaPipe FaceMesh landmarks: <c>facemesh-468</c> or <c>facemesh-478</c> (with the irises).</summary>
    public static string FaceMesh(int count) => $"facemesh-{count}";
}

namespace FaceCraft4D.Vision.Preprocessing.Detection;

/// <summary>A detected face: box in image pixels and detector confidence (0..1).</summary>
public sealed record FaceDetection(FaceBox Box, double Score);

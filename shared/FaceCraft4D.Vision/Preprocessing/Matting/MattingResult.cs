namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Foreground alpha (row-major, 0 background .. 1 foreground) of an image, and the short label of the backend that produced it (<c>selfie-seg+guided</c>, <c>grabcut</c>).</summary>
public sealed record MattingResult(int Width, int Height, float[] Alpha, string Backend);

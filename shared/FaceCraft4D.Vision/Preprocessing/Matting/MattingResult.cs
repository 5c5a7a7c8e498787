namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Foreground alpha (row-major, 0 background .. 1 foreground) of an image, and what produced it.</summary>
public sealed record MattingResult(int Width, int Height, float[] Alpha, string Backend);

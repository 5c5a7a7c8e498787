namespace FaceCraft4D.Metrics.Identity;

/// <summary>How a face crop becomes the 150 × 150 network input.</summary>
public enum FaceCropResampling
{
    /// <summary>
    /// Exactly as face-api.js on a tensor input: integer crop, zero padding to a square (⌊diff/2 + ½⌋ after, the rest
    /// before), tfjs <c>resizeBilinear</c> with alignCorners = false and halfPixelCenters = false (source = dst · in/out).
    /// Reproduces face-api.js descriptors; no antialiasing when shrinking.
    /// </summary>
    FaceApiBilinear,

    /// <summary>Centred square, antialiased tent filter (<c>SquareResampler</c> of the preprocessing stage).</summary>
    Antialiased,
}

namespace FaceCraft4D.Graphics.ImageQuality;

/// <summary>How the SSIM window treats the image border.</summary>
public enum SsimPadding
{
    /// <summary>
    /// 'valid' filtering: only window positions fully inside the image, maps of (H − win + 1) × (W − win + 1) (the
    /// reference MATLAB <c>ssim_index.m</c>; the evaluation metric).
    /// </summary>
    Valid,

    /// <summary>Zero padding by win / 2: maps of H × W (the 3DGS training loss).</summary>
    Zero,
}

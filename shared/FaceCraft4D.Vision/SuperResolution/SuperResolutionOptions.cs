namespace FaceCraft4D.Vision.SuperResolution;

/// <summary>
/// When the aligned crop super-resolves the photo (<see cref="CropSuperResolver"/>). Defaults: on; only where the crop
/// enlarges the photo by at least 1.25 (a face smaller than the crop's); esrgan-slim x2 up to an enlargement of 2√2, x4 beyond.
/// </summary>
public sealed class SuperResolutionOptions
{
    /// <summary>Super-resolve when needed (false: the crop is always resampled bilinearly from the photo).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The esrgan-slim models folder; null: <see cref="EsrganModelLocator"/> finds it.</summary>
    public string? ModelsPath { get; set; }

    /// <summary>Smallest enlargement (crop pixels per photo pixel) that is super-resolved.</summary>
    public double MinEnlargement { get; set; } = 1.25;
}

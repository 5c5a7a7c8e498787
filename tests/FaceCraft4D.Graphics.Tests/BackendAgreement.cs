using Xunit;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// The cross-backend tolerances of the rasterizer agreement tests: images within 1e-5, every gradient group within 1e-3 of
/// its largest magnitude (float32 sums in different orders).
/// </summary>
internal static class BackendAgreement
{
    /// <summary>Asserts that <paramref name="image"/> and <paramref name="grads"/> agree with the reference backend's.</summary>
    public static void AssertClose(float[] refImage, float[][] refGrads, float[] image, float[][] grads, string label, bool gradientsMustNotVanish = false)
    {
        Assert.True(refImage.Zip(image).Max(z => Math.Abs(z.First - z.Second)) < 1e-5, $"{label}: image");
        for (int g = 0; g < refGrads.Length; g++)
        {
            double scale = refGrads[g].Max(v => Math.Abs(v));
            if (gradientsMustNotVanish) Assert.True(scale > 0, $"{label}: gradient group {g} should not vanish");
            double diff = refGrads[g].Zip(grads[g]).Max(z => Math.Abs(z.First - z.Second));
            Assert.True(diff <= 1e-3 * scale + 1e-8, $"{label}, gradient group {g}: backends differ by {diff} (scale {scale})");
        }
    }
}

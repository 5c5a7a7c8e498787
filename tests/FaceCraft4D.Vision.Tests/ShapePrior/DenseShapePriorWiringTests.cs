using System.Numerics;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// The template shape prior fits the dense FaceMesh landmarks when its input has them and the option is on: on a synthetic head with
/// known identity, expression, jaw and eyes, the dense path recovers the face better than the 68-point path, records
/// which landmarks it fitted, and falls back to the 68 landmarks (with a note) when there are none.
/// </summary>
public sealed class DenseShapePriorWiringTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Template_prior_fits_dense_landmarks_when_given_and_recovers_the_head_better()
    {
        const int size = 512;
        var head = SyntheticHead.Create(4, size, 12.0, -6.0, 3.0, noisePixels: 1.0);
        var eyes = new[] { 0.1f, 0.12f, 0f, 0.1f, 0.12f, 0f };
        var truth = new FittedHead(head.Shape, head.Expression, new[] { head.Jaw, 0f, 0f }, head.Pose, head.Camera, head.TrueLandmarks, 0, 0);
        using var target = new DenseFitTarget(SyntheticHead.Model, withIrises: true);
        var projected = DenseFitProjection.Project(target, truth, eyes);
        var rng = new Random(4);
        var dense = new float[3 * 478];
        for (int k = 0; k < target.Correspondence.Count; k++)
        {
            int i = target.Correspondence.MeshIndices[k];
            dense[3 * i] = projected[2 * k] + (float)(rng.NextDouble() - 0.5);
            dense[3 * i + 1] = projected[2 * k + 1] + (float)(rng.NextDouble() - 0.5);
        }

        // A plain crop with a head-sized foreground: the fit uses only the landmarks; keep texturing and rendering small.
        var crop = RgbImage.Filled(size, size, new Vector3(0.6f, 0.5f, 0.45f));
        var mask = new FloatImage(size, size);
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
            mask[x, y] = Math.Pow((x - size / 2.0) / (0.3 * size), 2) + Math.Pow((y - size / 2.0) / (0.4 * size), 2) < 1 ? 1f : 0f;
        var options = new TemplateShapePriorOptions { UseDenseLandmarks = true, Texture = new HeadTextureOptions { TextureSpaceCompletion = false, TextureSize = 64 } };
        using var prior = new TemplateShapePrior(SyntheticHead.Model, options);
        var request = new ShapePriorRequest(32, 1, 1);
        var sparseInput = new ShapePriorInput(crop, mask, head.NoisyLandmarks, 13.37);
        var denseInput = sparseInput with { DenseLandmarks = dense, DenseLandmarkBackend = "synthetic" };

        var sparse = await prior.RunAsync(sparseInput, request, CancellationToken.None);
        var fitted = await prior.RunAsync(denseInput, request, CancellationToken.None);

        double errorSparse = DenseLandmarkFittingTests.MeanVertexError(sparse.Head, head);
        double errorDense = DenseLandmarkFittingTests.MeanVertexError(fitted.Head, head);
        double rmsSparse = Rms(DenseFitProjection.Project(target, sparse.Head), projected);
        double rmsDense = Rms(DenseFitProjection.Project(target, fitted.Head, fitted.Eyes), projected);
        output.WriteLine($"dense-point rms to the truth: 68-point path {rmsSparse:F2} px, dense path {rmsDense:F2} px; " +
                         $"mean face-vertex error: 68-point path {1000 * errorSparse:F2} mm, dense path {1000 * errorDense:F2} mm; " +
                         $"dense rms {fitted.Metrics["dense_landmark_rms_px"]:F2} px; eyes {string.Join(",", fitted.Eyes.Select(e => e.ToString("F3")))}");

        Assert.Equal(LandmarkFitNames.Ibug68, sparse.LandmarkFit);
        Assert.Equal(0, sparse.Metrics["landmark_fit_dense"]);
        Assert.All(sparse.Eyes, e => Assert.Equal(0f, e));
        Assert.Contains(sparse.Notes, n => n.Contains("68 landmarks") && n.Contains("no dense"));

        Assert.Equal("facemesh-478", fitted.LandmarkFit);
        Assert.Equal(1, fitted.Metrics["landmark_fit_dense"]);
        Assert.DoesNotContain(fitted.Notes, n => n.Contains("no dense"));
        Assert.True(fitted.Metrics["dense_landmark_rms_px"] < 1.0, $"dense rms {fitted.Metrics["dense_landmark_rms_px"]:F2} px");
        Assert.True(rmsDense < 0.75 * rmsSparse, $"dense-point rms: dense {rmsDense:F2} px vs 68-point {rmsSparse:F2} px");
        Assert.True(errorDense < errorSparse, $"3D face error: dense {1000 * errorDense:F2} mm vs 68-point {1000 * errorSparse:F2} mm");
        // The irises turn the eyes (truth 0.10, 0.12) and the rendered mesh carries them.
        Assert.InRange(fitted.Eyes[0], 0.03, 0.17);
        Assert.InRange(fitted.Eyes[1], 0.05, 0.19);
        var withEyes = prior.Pose(fitted.Head, fitted.Eyes).Mesh.Positions;
        var withoutEyes = prior.Pose(fitted.Head).Mesh.Positions;
        double meshGap = fitted.Mesh.Positions.Select((p, i) => Math.Abs(p - fitted.VertexOffsets[i] - withEyes[i])).Max();
        int eyeVertices = Enumerable.Range(0, withEyes.Length / 3).Count(v => Math.Abs(withEyes[3 * v + 2] - withoutEyes[3 * v + 2]) + Math.Abs(withEyes[3 * v] - withoutEyes[3 * v]) > 1e-5);
        Assert.True(meshGap < 1e-5, $"mesh differs from FLAME(fit, eyes) + offsets by {meshGap} m");
        Assert.InRange(eyeVertices, 1, withEyes.Length / 3 / 4);

        // Malformed dense input is refused, not fitted.
        await Assert.ThrowsAsync<ArgumentException>(() => prior.RunAsync(sparseInput with { DenseLandmarks = new float[30] }, request, CancellationToken.None));
        // The dense path is off by default (the option turns it on).
        using var off = new TemplateShapePrior(SyntheticHead.Model, new TemplateShapePriorOptions { Texture = options.Texture });
        Assert.Equal(LandmarkFitNames.Ibug68, (await off.RunAsync(denseInput, request, CancellationToken.None)).LandmarkFit);
    }

    private static double Rms(float[] a, float[] b) =>
        Math.Sqrt(Enumerable.Range(0, a.Length / 2).Average(k => Math.Pow(a[2 * k] - b[2 * k], 2) + Math.Pow(a[2 * k + 1] - b[2 * k + 1], 2)));
}

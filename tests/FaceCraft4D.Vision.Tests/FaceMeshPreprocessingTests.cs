using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.ShapePrior.Template;
using FaceCraft4D.Vision.Tests.ShapePrior;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests;

/// <summary>
/// FaceMesh as a preprocessing stage output: dense landmarks on the sample portrait that agree with the 68
/// landmarks where both name the same point, the fallback when the model is missing, and the FLAME fit error on
/// the sample for the 68-point and the dense fit.
/// </summary>
public sealed class FaceMeshPreprocessingTests(PreprocessorFixture fixture, ITestOutputHelper output) : IClassFixture<PreprocessorFixture>
{
    /// <summary>FaceMesh index and iBUG index of the same anatomical point.</summary>
    private static readonly (int Mesh, int Ibug)[] SamePoints = { (33, 36), (133, 39), (362, 42), (263, 45), (61, 48), (291, 54), (152, 8), (4, 30) };

    [Fact]
    public async Task Sample_portrait_gets_478_dense_landmarks_that_agree_with_the_68()
    {
        using var photo = TestAssets.LoadPortrait();
        using var result = await fixture.Preprocessor.PreprocessAsync(photo, PreprocessorFixture.Options(), CancellationToken.None);
        Assert.Equal("facemesh-attention", result.DenseLandmarkBackend);
        var dense = result.DenseLandmarks!;
        Assert.Equal(478, dense.Count);
        Assert.True(dense.FaceScore > 0.9, $"face score {dense.FaceScore}");
        double iod = FlameLandmarkFitter.InterOcularDistance(result.Landmarks);
        foreach (var (mesh, ibug) in SamePoints)
        {
            var (x, y, _) = dense[mesh];
            double d = Math.Sqrt(Math.Pow(x - result.Landmarks[2 * ibug], 2) + Math.Pow(y - result.Landmarks[2 * ibug + 1], 2));
            output.WriteLine($"mesh {mesh} vs iBUG {ibug}: {d:F1} px ({d / iod:F3} IOD)");
            Assert.True(d < 0.12 * iod, $"mesh {mesh} is {d:F1} px from iBUG {ibug} (IOD {iod:F0})");
        }
        // Irises lie inside their eyes' contours, the image-left one on the left.
        Assert.True(dense[468].X < dense[473].X);
        Assert.InRange(dense[468].X, Math.Min(dense[33].X, dense[133].X), Math.Max(dense[33].X, dense[133].X));
        Assert.InRange(dense[473].X, Math.Min(dense[362].X, dense[263].X), Math.Max(dense[362].X, dense[263].X));
        // Nose tip is nearer the camera than the face contour (MediaPipe z: negative towards the camera).
        Assert.True(dense[4].Z < dense[234].Z && dense[4].Z < dense[454].Z);
        output.WriteLine($"dense landmark step: {result.DenseLandmarkMilliseconds:F0} ms (2 passes of {dense.Backend})");

        // FLAME fit error on the sample: 68-point fit vs dense fit, against the 68 and the dense landmarks.
        var lm = result.Landmarks.Select(v => v + 0.5f).ToArray();
        var pts = dense.ToArray();
        for (int i = 0; i < pts.Length / 3; i++) { pts[3 * i] += 0.5f; pts[3 * i + 1] += 0.5f; }
        var intrinsics = CameraIntrinsics.FromVerticalFov(result.AlignedCrop.Width, result.AlignedCrop.Height, 13.37);
        using var model = new FlameLandmarkModel(SyntheticHead.Model);
        using var target = new DenseFitTarget(SyntheticHead.Model, withIrises: true);
        var fitter = new FlameLandmarkFitter(new LandmarkFitOptions());
        var fit68 = fitter.Fit(model, lm, intrinsics);
        var fitDense = fitter.FitDense(model, target, lm, pts, intrinsics);
        var rows = new[]
        {
            ("68-point fit", Errors68(fit68.FittedLandmarks, lm), DenseErrors(DenseFitProjection.Project(target, fit68), target, pts)),
            ("dense fit", Errors68(fitDense.Head.FittedLandmarks, lm), fitDense.DenseErrors(pts)),
        };
        foreach (var (name, e68, eDense) in rows)
            output.WriteLine($"{name}: 68 landmarks mean {e68.Average():F2} px / median {Median(e68):F2} px ({e68.Average() / iod:F4} / {Median(e68) / iod:F4} IOD); " +
                             $"{eDense.Length} dense points mean {eDense.Average():F2} px / median {Median(eDense):F2} px ({eDense.Average() / iod:F4} / {Median(eDense) / iod:F4} IOD)");
        Assert.True(rows[1].Item3.Average() < rows[0].Item3.Average(), "the dense fit should match the dense landmarks better");
        Assert.True(rows[1].Item3.Average() < 0.1 * iod);
    }

    [Fact]
    public async Task Missing_FaceMesh_model_falls_back_to_68_landmarks_and_says_so()
    {
        var empty = Directory.CreateTempSubdirectory("fc4d-no-facemesh-");
        try
        {
            var options = PreprocessorFixture.Options(o => o.FaceMesh.ModelsPath = empty.FullName);
            using var pre = await PortraitPreprocessorFactory.CreateAsync(options, CancellationToken.None);
            using var photo = TestAssets.LoadPortrait();
            using var result = await pre.PreprocessAsync(photo, options, CancellationToken.None);
            Assert.Null(result.DenseLandmarks);
            Assert.Equal("none", result.DenseLandmarkBackend);
            Assert.Equal(136, result.Landmarks.Length);
            var warning = Assert.Single(result.Warnings, w => w.Contains("Dense landmarks unavailable"));
            Assert.Contains("facemesh-attention.json", warning);
            Assert.Contains("68 landmarks are used", warning);
        }
        finally { empty.Delete(recursive: true); }
    }

    [Fact]
    public async Task Corrupt_FaceMesh_model_is_a_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("fc4d-bad-facemesh-");
        try
        {
            var src = TestAssets.RequireFaceMeshModel(FaceMeshVariant.FaceMesh);
            File.Copy(src, Path.Combine(dir.FullName, "facemesh.json"));
            File.WriteAllBytes(Path.Combine(dir.FullName, "facemesh.bin"), new byte[100]); // truncated weights
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => FaceMeshLandmarker.LoadAsync(
                new FaceMeshOptions { ModelsPath = dir.FullName, Variant = FaceMeshVariant.FaceMesh }, TorchSharp.torch.CPU, CancellationToken.None));
            Assert.Contains("shards hold only 100", e.Message);
        }
        finally { dir.Delete(recursive: true); }
    }

    private static double[] Errors68(float[] fitted, float[] lm) =>
        Enumerable.Range(0, 68).Where(i => !float.IsNaN(fitted[2 * i]))
            .Select(i => Math.Sqrt(Math.Pow(fitted[2 * i] - lm[2 * i], 2) + Math.Pow(fitted[2 * i + 1] - lm[2 * i + 1], 2))).ToArray();

    private static double[] DenseErrors(float[] projected, DenseFitTarget target, float[] pts) =>
        target.Correspondence.MeshIndices.Select((m, k) => Math.Sqrt(Math.Pow(projected[2 * k] - pts[3 * m], 2) + Math.Pow(projected[2 * k + 1] - pts[3 * m + 1], 2))).ToArray();

    private static double Median(double[] v)
    {
        var s = v.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}

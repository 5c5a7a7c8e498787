using System.Diagnostics;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

public sealed class TrainingTests(ITestOutputHelper output)
{
    /// <summary>A head-sized synthetic scene of known Gaussians (SH degree 0).</summary>
    private static SplatGaussians GroundTruth(int n, ulong seed)
    {
        var gen = new torch.Generator(seed);
        var dir = torch.nn.functional.normalize(torch.randn(new long[] { n, 3 }, generator: gen), dim: 1);
        return new SplatGaussians
        {
            Means = dir * (torch.rand(new long[] { n, 1 }, generator: gen).Power(0.33).Times(0.11)),
            Quaternions = torch.randn(new long[] { n, 4 }, generator: gen),
            Scales = torch.rand(new long[] { n, 3 }, generator: gen).Times(0.02).Plus(0.008),
            Opacities = torch.rand(new long[] { n }, generator: gen).Times(0.35).Plus(0.6),
            ShCoefficients = SphericalHarmonics.RgbToDc(torch.rand(new long[] { n, 3 }, generator: gen)).unsqueeze(1),
            ShDegree = 0,
        };
    }

    private static List<TrainingView> Views(SplatGaussians gt, OrbitCameraOptions orbit)
    {
        var rasterizer = new GaussianRasterizer();
        using var noGrad = torch.no_grad();
        return OrbitCameras.Create(orbit)
            .Select((c, i) => new TrainingView { Camera = c, Image = rasterizer.Render(gt, c, torch.ones(3)).Image.detach().DetachFromDisposeScope(), Index = i })
            .ToList();
    }

    [Fact]
    public async Task Fitting_a_known_scene_from_24_orbit_views_reaches_high_psnr_on_held_out_views()
    {
        using var scope = torch.NewDisposeScope();
        var gt = GroundTruth(150, 7);
        var orbit = new OrbitCameraOptions { Width = 64, Height = 64, FovYDegrees = 18, Radius = 1.0 };
        var views = Views(gt, orbit);
        using var model = FreeGaussianModel.RandomInBox(1000, new[] { -0.13, -0.13, -0.13 }, new[] { 0.13, 0.13, 0.13 }, 1, new torch.Generator(3));
        var options = TrainingOptions.StaticSceneDefaults();
        options.Iterations = 1000;
        options.PositionLrMaxSteps = 1000;
        options.Seed = 1;
        options.ShDegreeInterval = 500;
        options.Densification.FromIteration = 300;
        options.Densification.UntilIteration = 600;
        options.Densification.OpacityResetInterval = 1000;
        options.Densification.MaxGaussians = 2500;
        using var trainer = new GaussianTrainer(model, views, options);
        var clock = Stopwatch.StartNew();
        var last = await trainer.TrainAsync(new InlineProgress(p => output.WriteLine($"it {p.Iteration}: loss {p.Loss:F4}, train PSNR {p.Psnr:F2} dB, {p.GaussianCount} Gaussians")));
        clock.Stop();

        // Held-out views: between the training yaws and above the horizon.
        var rasterizer = new GaussianRasterizer();
        var psnr = new List<double>();
        for (int k = 0; k < 12; k++)
        {
            using var s = torch.NewDisposeScope();
            var camera = OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Width = 64, Height = 64, FovYDegrees = 18, Radius = 1.0, ElevationDegrees = k % 2 == 0 ? 0 : 8 }, 7.5 + 30 * k);
            using var noGrad = torch.no_grad();
            psnr.Add(ImageLosses.Psnr(trainer.Render(camera).Image, rasterizer.Render(gt, camera, torch.ones(3)).Image));
        }
        output.WriteLine($"held-out PSNR mean {psnr.Average():F2} dB (min {psnr.Min():F2}), {last!.GaussianCount} Gaussians, training {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(psnr.Average() >= 30, $"held-out PSNR {psnr.Average():F2} dB");
        Assert.True(model.Parameters.Count > 1000, "densification should have added Gaussians");
    }

    private static (GaussianTrainer Trainer, FreeGaussianModel Model) SmallRun(List<TrainingView> views, TrainingHooks? hooks = null)
    {
        var model = FreeGaussianModel.RandomInBox(200, new[] { -0.12, -0.12, -0.12 }, new[] { 0.12, 0.12, 0.12 }, 2, new torch.Generator(11));
        var o = TrainingOptions.StaticSceneDefaults();
        o.Iterations = 60;
        o.Seed = 42;
        o.ShDegreeInterval = 25;
        o.RandomBackground = true;
        o.Densification.FromIteration = 15;
        o.Densification.Interval = 15;
        o.Densification.OpacityResetInterval = 50;
        o.Densification.GradientThreshold = 0.00005;
        return (new GaussianTrainer(model, views, o, hooks), model);
    }

    [Fact]
    public async Task Training_is_deterministic_and_resumes_exactly_from_a_checkpoint()
    {
        using var scope = torch.NewDisposeScope();
        var views = Views(GroundTruth(60, 3), new OrbitCameraOptions { ViewCount = 8, Width = 32, Height = 32, FovYDegrees = 18 });

        var (a, modelA) = SmallRun(views);
        using var _a = a; using var _ma = modelA;
        await a.TrainAsync();
        var (b, modelB) = SmallRun(views);
        using var _b = b; using var _mb = modelB;
        using var checkpoint = new MemoryStream();
        await b.TrainAsync(untilIteration: 40);
        await b.SaveCheckpointAsync(checkpoint);
        Assert.Equal(40, b.Iteration);

        // A fresh process: a different initial model, restored from the checkpoint.
        var c = new GaussianTrainer(FreeGaussianModel.RandomInBox(10, new[] { -1.0, -1, -1 }, new[] { 1.0, 1, 1 }, 2, new torch.Generator(99)), views, a.Options);
        using var _c = c;
        checkpoint.Position = 0;
        await c.LoadCheckpointAsync(checkpoint);
        Assert.Equal(40, c.Iteration);
        await c.TrainAsync();
        await b.TrainAsync();

        Assert.Equal(60, a.Iteration);
        Assert.True(modelA.Parameters.Count != 200, "densification ran during the test");
        foreach (var other in new[] { modelB.Parameters, c.Model.Parameters })
        {
            Assert.Equal(modelA.Parameters.Count, other.Count);
            Assert.Equal(modelA.Parameters.ActiveShDegree, other.ActiveShDegree);
            foreach (var name in GaussianParameters.TrainableNames)
                Assert.True(modelA.Parameters[name].eq(other[name]).all().item<bool>(), $"{name} differs");
        }
    }

    [Fact]
    public async Task Colour_and_loss_hooks_train_extra_parameters_and_are_checkpointed()
    {
        using var scope = torch.NewDisposeScope();
        var views = Views(GroundTruth(60, 5), new OrbitCameraOptions { ViewCount = 4, Width = 32, Height = 32, FovYDegrees = 18 });
        // Per-view colour offsets (a stand-in for COIN's embedding MLP) added to the base colours.
        var offsets = torch.zeros(new long[] { 4, 3 }).requires_grad_();
        int extraCalls = 0;
        var hooks = new TrainingHooks
        {
            ExtraParameters = new[] { new ExtraParameter("view_offsets", offsets, 0.01) },
            ColorTransform = (ctx, baseColors) => baseColors.Plus(offsets[ctx.View.Index]),
            ExtraLoss = (ctx, render, target) => { extraCalls++; return offsets.Power(2).sum().Times(1e-3); },
        };
        var (trainer, model) = SmallRun(views, hooks);
        using var _t = trainer; using var _m = model;
        await trainer.TrainAsync(untilIteration: 20);
        Assert.Equal(20, extraCalls);
        Assert.True(offsets.abs().sum().item<float>() > 0, "the hook parameter must receive gradients and Adam steps");
        var trained = offsets.detach().clone();

        using var ms = new MemoryStream();
        await trainer.SaveCheckpointAsync(ms);
        using (torch.no_grad()) offsets.zero_();
        ms.Position = 0;
        await trainer.LoadCheckpointAsync(ms);
        Assert.True(offsets.eq(trained).all().item<bool>(), "checkpoint restores hook tensors in place");
    }

    [Fact]
    public async Task A_flame_bound_avatar_learns_the_appearance_of_a_reference_avatar()
    {
        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data);
        using var scope = torch.NewDisposeScope();
        // Reference: the same rig with colours from the canonical position (smooth bands) and small flat Gaussians.
        using var reference = FlameGaussianAvatar.Create(flame, torch.zeros(1, 10), localScale: 0.6);
        using (torch.no_grad())
        {
            var centres = TriangleFrames.Compute(reference.Vertices(), flame.Faces).Centers.index_select(0, reference.Parameters.Binding!);
            var rgb = torch.sin(centres.Times(60)).Times(0.4).Plus(0.5).Clamped(0, 1);
            reference.Parameters.ShDc.copy_(SphericalHarmonics.RgbToDc(rgb).unsqueeze(1));
            reference.Parameters.OpacityLogits.FilledWith(4f);
        }
        var orbit = new OrbitCameraOptions { ViewCount = 8, Width = 48, Height = 48 };
        var rasterizer = new GaussianRasterizer();
        var frame = reference.CanonicalFrame().With(jaw: torch.tensor(new float[] { 0.15f, 0, 0 }).view(1, 3));
        var views = OrbitCameras.Create(orbit).Select((c, i) => new TrainingView
        {
            Camera = c, Frame = i % 2 == 0 ? null : frame, Index = i,
            Image = rasterizer.Render(reference.Evaluate(i % 2 == 0 ? null : frame), c, torch.ones(3)).Image.detach(),
        }).ToList();

        using var avatar = FlameGaussianAvatar.Create(flame, torch.zeros(1, 10), localScale: 0.6);
        var options = TrainingOptions.FlameAvatarDefaults();
        options.Iterations = 200;
        options.FeatureLr = 0.02; // a short run: faster colour and opacity learning than the 30K-iteration defaults
        options.OpacityLr = 0.1;
        options.Densification.Enabled = false;
        using var trainer = new GaussianTrainer(avatar, views, options);
        double Psnr() => views.Average(v => { using var s = torch.NewDisposeScope(); return ImageLosses.Psnr(trainer.Render(v.Camera, v.Frame).Image, v.Image); });
        double before = Psnr();
        await trainer.TrainAsync();
        double after = Psnr();
        output.WriteLine($"bound avatar PSNR {before:F2} -> {after:F2} dB");
        Assert.True(after > before + 8, $"PSNR {before:F2} -> {after:F2}");
    }

    private sealed class InlineProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

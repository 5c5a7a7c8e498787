using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>The pivot of a GAN inversion and how well it fits.</summary>
/// <param name="Ws">The optimised latent, broadcast [1, num_ws, w_dim].</param>
/// <param name="LatentLoss">Final loss of the latent stage.</param>
/// <param name="PivotalLoss">Final loss of the pivotal tuning (NaN when skipped).</param>
/// <param name="InitialLoss">Loss at w_avg before optimising.</param>
public sealed record InversionResult(Tensor Ws, double LatentLoss, double PivotalLoss, double InitialLoss);

/// <summary>
/// GAN inversion as in the paper (3.1) and PanoHead's projector + PTI: (1) optimise one w (broadcast to every
/// layer), starting at the mean w, with Adam on 0.1 MSE + LPIPS + |w - w_avg|^2 while Gaussian noise on w fades
/// out; (2) fix that pivot and fine-tune the generator's weights (in place: pass a copy) on L2 + LPIPS. Targets are
/// [1, 3, R, R] in [-1, 1] seen from camera label c [1, 25].
/// </summary>
public sealed class PanoHeadInverter(PanoHeadInversionOptions options)
{
    /// <summary>Runs both stages on <paramref name="generator"/> (modified by the pivotal tuning).</summary>
    public InversionResult Invert(TriGridGenerator generator, LpipsNetwork lpips, Tensor target, Tensor c, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(lpips);
        using var outer = torch.NewDisposeScope();
        var device = target.device;
        var random = new torch.Generator((ulong)seed, device);
        foreach (var p in lpips.parameters()) p.requires_grad = false;

        // Mean and spread of w under this camera label.
        Tensor wAvg;
        double wStd;
        using (torch.no_grad())
        {
            var z = torch.randn(new long[] { options.WAverageSamples, generator.Config.ZDim }, ScalarType.Float32, device, generator: random);
            var w = generator.Mapping(z, c.expand(options.WAverageSamples, -1)).select(1, 0); // [S, w]
            wAvg = w.mean(new long[] { 0 }, keepdim: true).detach(); // [1, w]
            wStd = Math.Sqrt((w - wAvg).Power(2).sum().item<float>() / options.WAverageSamples);
        }
        var targetPerceptual = Downsample(target);
        double Loss(Tensor image, Tensor? w, bool latentStage, out Tensor loss)
        {
            var mse = (image - target).Power(2).mean();
            var perceptual = lpips.Distance(Downsample(image), targetPerceptual).mean();
            loss = latentStage
                ? mse.Times(options.LatentMseWeight).Plus(perceptual).Plus((w! - wAvg).Power(2).mean().Times(options.LatentNormWeight))
                : mse.Times(options.PivotalL2Weight).Plus(perceptual.Times(options.PivotalLpipsWeight));
            return loss.item<float>();
        }

        foreach (var p in generator.parameters()) p.requires_grad = false;
        var wOpt = new Parameter(wAvg.clone().unsqueeze(1)); // [1, 1, w]
        double initial;
        using (torch.no_grad())
        {
            var image = generator.Synthesis(wOpt.repeat(1, generator.NumWs, 1), c, NoiseMode.Const, generator: random).Image;
            initial = Loss(image, wOpt, latentStage: true, out _);
        }
        using var adam = new HeldAdam(new[] { wOpt }, options.LatentLearningRate, beta1: 0.9, beta2: 0.999);
        double latentLoss = initial;
        for (int step = 0; step < options.LatentSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            double t = (double)step / options.LatentSteps;
            double noiseScale = wStd * options.InitialNoiseFactor * Math.Pow(Math.Max(0, 1 - t / options.NoiseRampLength), 2);
            double ramp = Math.Min(1, (1 - t) / options.LearningRateRampDown);
            ramp = (0.5 - 0.5 * Math.Cos(ramp * Math.PI)) * Math.Min(1, t / options.LearningRateRampUp);
            adam.LearningRate = options.LatentLearningRate * ramp;
            var ws = (wOpt.Plus(torch.randn(wOpt.shape, ScalarType.Float32, device, generator: random).Times(noiseScale))).repeat(1, generator.NumWs, 1);
            var image = generator.Synthesis(ws, c, NoiseMode.Const, generator: random).Image;
            latentLoss = Loss(image, wOpt, latentStage: true, out var loss);
            adam.ZeroGrad();
            loss.backward();
            adam.Step();
        }
        var pivot = wOpt.detach().repeat(1, generator.NumWs, 1).clone();

        double pivotalLoss = double.NaN;
        if (options.PivotalSteps > 0)
        {
            var weights = generator.parameters().ToArray();
            foreach (var p in weights) p.requires_grad = true;
            using var tuner = new HeldAdam(weights, options.PivotalLearningRate);
            for (int step = 0; step < options.PivotalSteps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var image = generator.Synthesis(pivot, c, NoiseMode.Const, generator: random).Image;
                pivotalLoss = Loss(image, null, latentStage: false, out var loss);
                tuner.ZeroGrad();
                loss.backward();
                tuner.Step();
            }
            foreach (var p in weights) p.requires_grad = false;
        }
        return new InversionResult(pivot.MoveToOuterDisposeScope(), latentLoss, pivotalLoss, initial);
    }

    private Tensor Downsample(Tensor images)
    {
        long size = images.shape[^1];
        if (size <= options.LpipsResolution) return images;
        return torch.nn.functional.adaptive_avg_pool2d(images, new long[] { options.LpipsResolution, options.LpipsResolution });
    }
}

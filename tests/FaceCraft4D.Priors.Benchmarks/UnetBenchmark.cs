using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Benchmarks;

/// <summary>
/// UNet step time of the real SD 1.5 configuration (CosmicMan-SD shares it) with random fp32 weights, at the paper's
/// 512² resolution (64² latent), batch 1 (one view) and batch 2 (reference + one target, a mutual-attention step), and
/// the implied cost of one EnhanceView call (10 inversion steps at batch 3 + 10 sampling steps at batch 2).
/// </summary>
public static class UnetBenchmark
{
    public static double Run(int runs, int latentSize, Action<string> print)
    {
        var config = UNet2DConditionConfig.StableDiffusion15();
        print($"UNet: SD 1.5 config (block_out_channels 320-640-1280-1280, cross_attention_dim 768), fp32, random weights, latent {latentSize}x{latentSize}");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var unet = new UNet2DConditionModel(config);
        ModuleRandomizer.Randomize(unet, 1);
        unet.eval();
        print($"  built + randomised {ParameterCounting.ParameterCount(unet):N0} parameters in {sw.Elapsed.TotalSeconds:F1} s");
        using var context = torch.randn([1, 77, 768]);
        var times = new Dictionary<int, double>();
        foreach (int batch in new[] { 1, 2, 3 })
        {
            using var x = torch.randn([batch, 4, latentSize, latentSize]);
            using var ctx = context.expand(batch, -1, -1).contiguous();
            using var t = HeldScalarOps.Hold(361.ToScalar(), held => torch.full([batch], held, ScalarType.Float32));
            times[batch] = Timing.MedianSeconds(() =>
            {
                using var _ = torch.inference_mode();
                using var y = unet.Forward(x, t, ctx);
            }, runs);
            print($"  UNet step, batch {batch}: {Timing.Format(times[batch])}");
        }
        double enhance = 10 * times[3] + 10 * times[2];
        print($"  => one EnhanceView (1 target, strength 0.4 of 25 steps, guidance 1): 10 x batch-3 inversion + 10 x batch-2 sampling = {Timing.Format(enhance)} of UNet time");
        return times[1];
    }
}

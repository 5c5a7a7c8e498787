using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Benchmarks;

/// <summary>VAE encode / decode time of the real SD AutoencoderKL configuration (random fp32 weights).</summary>
public static class VaeBenchmark
{
    public static void Run(int runs, int imageSize, Action<string> print)
    {
        print($"VAE: SD AutoencoderKL config (128-256-512-512), fp32, random weights, image {imageSize}x{imageSize}");
        using var vae = new AutoencoderKL(AutoencoderKLConfig.StableDiffusion());
        ModuleRandomizer.Randomize(vae, 2);
        vae.eval();
        using var image = torch.rand([1, 3, imageSize, imageSize]).Times(2).Minus(1);
        using var latent = torch.randn([1, 4, imageSize / 8, imageSize / 8]);
        double encode = Timing.MedianSeconds(() =>
        {
            using var _ = torch.inference_mode();
            using var z = vae.Encode(image);
        }, runs);
        print($"  encode: {Timing.Format(encode)}");
        double decode = Timing.MedianSeconds(() =>
        {
            using var _ = torch.inference_mode();
            using var y = vae.Decode(latent);
        }, runs);
        print($"  decode: {Timing.Format(decode)}");
    }
}

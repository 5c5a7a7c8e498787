using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>get_timestep_embedding</c>: freqs_i = exp(−ln(10000)·i/(half − shift)), emb = [sin(t·f), cos(t·f)],
/// swapped to [cos, sin] when <c>flip_sin_to_cos</c>; zero-padded when the width is odd.
/// </summary>
public static class SinusoidalTimestepEncoding
{
    /// <param name="timesteps">[B] (any numeric dtype)</param>
    /// <returns>[B, dim] float32</returns>
    public static Tensor Encode(Tensor timesteps, int dim, bool flipSinToCos, double freqShift, double maxPeriod = 10000.0)
    {
        using var scope = NewDisposeScope();
        int half = dim / 2;
        var exponent = HeldScalarOps.Arange(0, half, 1, ScalarType.Float32, timesteps.device).Times(-Math.Log(maxPeriod));
        var freqs = torch.exp(exponent.DividedBy(half - freqShift));
        var args = timesteps.to(ScalarType.Float32).unsqueeze(1) * freqs.unsqueeze(0);
        var emb = torch.cat([torch.sin(args), torch.cos(args)], -1);
        if (flipSinToCos) emb = torch.cat([emb[.., half..], emb[.., ..half]], -1);
        if (dim % 2 == 1) emb = nn.functional.pad(emb, [0, 1]);
        return emb.MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Coin;

/// <summary>
/// The per-Gaussian position embedding e_g of COIN: the Gaussian's canonical position normalised into [-1, 1] by a fixed
/// box (<see cref="Minimum"/>, <see cref="Maximum"/>), followed by NeRF-style frequency features
/// <c>[x, sin(2^0 pi x), cos(2^0 pi x), ..., sin(2^(L-1) pi x), cos(2^(L-1) pi x)]</c> per axis. The box is fixed when the
/// appearance is created (from the canonical avatar) and saved with it, so embeddings stay stable while densification
/// adds and removes Gaussians.
/// </summary>
public sealed class PositionEncoding
{
    /// <summary>Creates the encoding for a box and a number of frequencies.</summary>
    public PositionEncoding(double[] minimum, double[] maximum, int frequencies)
    {
        if (minimum.Length != 3 || maximum.Length != 3) throw new ArgumentException("The box needs 3 values per corner.");
        if (frequencies < 0) throw new ArgumentOutOfRangeException(nameof(frequencies));
        for (int i = 0; i < 3; i++)
            if (!(maximum[i] > minimum[i])) throw new ArgumentException("The box must have a positive extent on every axis.");
        Minimum = minimum.ToArray();
        Maximum = maximum.ToArray();
        Frequencies = frequencies;
    }

    /// <summary>Lower corner of the normalisation box (world units).</summary>
    public double[] Minimum { get; }

    /// <summary>Upper corner of the normalisation box.</summary>
    public double[] Maximum { get; }

    /// <summary>Number of frequencies L.</summary>
    public int Frequencies { get; }

    /// <summary>Width of the embedding: 3 + 6 L.</summary>
    public int Dimension => 3 + 6 * Frequencies;

    /// <summary>The box of <paramref name="points"/> [N, 3] grown by <paramref name="margin"/> of its size on every side.</summary>
    public static PositionEncoding Fit(Tensor points, int frequencies, double margin = 0.1)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var p = points.detach().to_type(ScalarType.Float64).cpu();
        var lo = p.amin(0).data<double>().ToArray();
        var hi = p.amax(0).data<double>().ToArray();
        for (int i = 0; i < 3; i++)
        {
            double size = Math.Max(hi[i] - lo[i], 1e-3);
            lo[i] -= margin * size;
            hi[i] += margin * size;
        }
        return new PositionEncoding(lo, hi, frequencies);
    }

    /// <summary>Encodes positions [N, 3] into [N, 3 + 6L] (no gradient: the embedding is an input, not a parameter).</summary>
    public Tensor Encode(Tensor positions)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var dev = positions.device;
        var dtype = positions.dtype;
        var lo = torch.tensor(Minimum, dtype, dev);
        var hi = torch.tensor(Maximum, dtype, dev);
        var x = ((positions.detach() - lo) / (hi - lo)).Times(2).Minus(1).Clamped(-1, 1);
        var features = new List<Tensor>(1 + 2 * Frequencies) { x };
        for (int k = 0; k < Frequencies; k++)
        {
            var scaled = x.Times(Math.PI * (1 << k));
            features.Add(torch.sin(scaled));
            features.Add(torch.cos(scaled));
        }
        return torch.cat(features, 1).MoveToOuterDisposeScope();
    }
}

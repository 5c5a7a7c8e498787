using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>Builds the normalised NCHW input face-api.js nets expect: (value - meanRgb) / 255.</summary>
public static class NetworkInput
{
    /// <param name="planar">[3, s, s] values 0..255</param>
    /// <returns>[1, 3, s, s] float32 on <paramref name="device"/></returns>
    public static Tensor Normalise(float[] planar, int s, IReadOnlyList<float> meanRgb, Device device)
    {
        var x = torch.tensor(planar, new long[] { 1, 3, s, s }, ScalarType.Float32);
        var mean = torch.tensor(meanRgb.ToArray(), new long[] { 1, 3, 1, 1 }, ScalarType.Float32);
        return (x - mean).DividedBy(255f).to(device);
    }
}

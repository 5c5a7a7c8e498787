using FaceCraft4D.Parity.Tests.Harness;
using FaceCraft4D.Priors.LivePortrait;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.LivePortrait;

/// <summary>
/// Shared steps of the LivePortrait runners: the case's weights through the production loader
/// (<see cref="LivePortraitLoader.LoadWeightsAsync"/>, strict), evaluation mode as upstream's <c>model.eval()</c>, and
/// the compute dtype. Setting <c>FC4D_PARITY_DTYPE=float64</c> runs network and inputs in float64, which separates
/// port bugs from float32 rounding when a case fails; the default is the cases' float32.
/// </summary>
public static class LivePortraitParityNetwork
{
    public const string DtypeVariable = "FC4D_PARITY_DTYPE";

    public static ScalarType ComputeType =>
        string.Equals(Environment.GetEnvironmentVariable(DtypeVariable), "float64", StringComparison.OrdinalIgnoreCase)
            ? ScalarType.Float64 : ScalarType.Float32;

    public static async Task<T> LoadAsync<T>(T network, ParityCase parityCase, CancellationToken cancellationToken) where T : nn.Module
    {
        try
        {
            await LivePortraitLoader.LoadWeightsAsync(network, parityCase.WeightsPath, cancellationToken);
            network.eval();
            if (ComputeType != ScalarType.Float32) network.to(ComputeType);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Input <c>in.&lt;name&gt;</c> in the compute dtype (a new tensor the caller disposes).</summary>
    public static Tensor Input(ParityCase parityCase, string name) => parityCase.Input(name).to(ComputeType);
}

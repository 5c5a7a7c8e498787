using FaceCraft4D.Coin;
using FaceCraft4D.Weights;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Vision.Perceptual;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// Chooses COIN's perceptual loss (<see cref="TrainingStageOptions.PerceptualLoss"/>): LPIPS-VGG16 when the one LPIPS
/// weights file (<see cref="LpipsWeights"/>, shared with the metric and the PanoHead inversion) is at
/// <see cref="TrainingStageOptions.LpipsWeightsPath"/> in the models store, otherwise (<c>auto</c>) the
/// structural substitute <see cref="StructuralPerceptualLoss"/>. Asking for <c>lpips-vgg16</c> without weights is a
/// <see cref="BackendUnavailableException"/>. The weights are read once per worker and device.
/// </summary>
public sealed class PerceptualLossProvider(ModelStore models, IOptions<TrainingStageOptions> options, ILogger<PerceptualLossProvider> logger) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, LpipsVgg16PerceptualLoss> lpips = new(StringComparer.Ordinal);
    private InMemorySafeTensors? weights;

    /// <summary>The loss to use on <paramref name="device"/>.</summary>
    public async Task<IPerceptualLoss> GetAsync(torch.Device device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var o = options.Value;
        var choice = o.PerceptualLoss.Trim().ToLowerInvariant();
        if (choice == StructuralPerceptualLoss.BackendName) return new StructuralPerceptualLoss();
        if (choice is not ("auto" or LpipsVgg16PerceptualLoss.BackendName))
            throw new InvalidOperationException($"Unknown perceptual loss '{o.PerceptualLoss}' (use auto, {LpipsVgg16PerceptualLoss.BackendName} or {StructuralPerceptualLoss.BackendName}).");

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var key = device.ToString();
            if (lpips.TryGetValue(key, out var loaded)) return loaded;
            if (weights is null)
            {
                var file = await models.TryOpenAsync(o.LpipsWeightsPath, cancellationToken).ConfigureAwait(false);
                if (file is null)
                {
                    if (choice == "auto")
                    {
                        logger.LogInformation("No LPIPS weights at {Where}; COIN uses the structural substitute ({Name})", models.Describe(o.LpipsWeightsPath), StructuralPerceptualLoss.BackendName);
                        return new StructuralPerceptualLoss();
                    }
                    throw new BackendUnavailableException($"The lpips-vgg16 perceptual loss needs its weights at {models.Describe(o.LpipsWeightsPath)}; they are not there.");
                }
                await using var stream = file.Value.Stream;
                weights = await InMemorySafeTensors.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            LpipsNetwork network;
            try
            {
                network = LpipsWeights.Load(weights);
            }
            catch (Exception e) when (e is WeightLoadException or InvalidDataException)
            {
                throw new BackendUnavailableException($"The LPIPS weights at {models.Describe(o.LpipsWeightsPath)} do not match LPIPS-VGG16: {e.Message}");
            }
            if (network.Config.Trunk != LpipsTrunkKind.Vgg16)
            {
                network.Dispose();
                throw new BackendUnavailableException($"The LPIPS weights at {models.Describe(o.LpipsWeightsPath)} have the {network.Config.TrunkName} trunk; COIN's {LpipsVgg16PerceptualLoss.BackendName} needs VGG16.");
            }
            var loss = new LpipsVgg16PerceptualLoss(network, device);
            lpips[key] = loss;
            return loss;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var l in lpips.Values) l.Dispose();
        gate.Dispose();
    }
}

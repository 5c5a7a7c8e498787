using FaceCraft4D.Coin;
using FaceCraft4D.Weights;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Vision.Perceptual.ResNet18;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// Chooses COIN's perceptual loss (<see cref="TrainingStageOptions.PerceptualLoss"/>): LPIPS-VGG16 when the one LPIPS
/// weights file (<see cref="LpipsWeights"/>, shared with the metric and the PanoHead inversion) is at
/// <see cref="TrainingStageOptions.LpipsWeightsPath"/> in the models store, otherwise (<c>auto</c>) ImageNet ResNet-18
/// features (<see cref="ResNet18PerceptualLoss"/>, the NuGet package's ONNX file found by <see cref="ResNet18OnnxLocator"/>),
/// and the structural substitute <see cref="StructuralPerceptualLoss"/> only when that file is missing too. Asking for
/// <c>lpips-vgg16</c> or <c>resnet18-features</c> without its weights is a <see cref="BackendUnavailableException"/>.
/// The weights are read once per worker and device.
/// </summary>
public sealed class PerceptualLossProvider(ModelStore models, IOptions<TrainingStageOptions> options, ILogger<PerceptualLossProvider> logger) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, LpipsVgg16PerceptualLoss> lpips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResNet18PerceptualLoss> resnets = new(StringComparer.Ordinal);
    private InMemorySafeTensors? weights;

    /// <summary>The loss to use on <paramref name="device"/>.</summary>
    public async Task<IPerceptualLoss> GetAsync(torch.Device device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var o = options.Value;
        var choice = o.PerceptualLoss.Trim().ToLowerInvariant();
        if (choice == StructuralPerceptualLoss.BackendName) return new StructuralPerceptualLoss();
        if (choice == ResNet18PerceptualLoss.BackendName) return await ResNet18Async(device, o.PerceptualDownsample, required: true, cancellationToken).ConfigureAwait(false);
        if (choice is not ("auto" or LpipsVgg16PerceptualLoss.BackendName))
            throw new InvalidOperationException($"Unknown perceptual loss '{o.PerceptualLoss}' (use auto, {LpipsVgg16PerceptualLoss.BackendName}, {ResNet18PerceptualLoss.BackendName} or {StructuralPerceptualLoss.BackendName}).");
        var lpipsLoss = await LpipsAsync(device, o, cancellationToken).ConfigureAwait(false);
        if (lpipsLoss is not null) return lpipsLoss;
        if (choice != "auto")
            throw new BackendUnavailableException($"The lpips-vgg16 perceptual loss needs its weights at {models.Describe(o.LpipsWeightsPath)}; they are not there.");
        logger.LogInformation("No LPIPS weights at {Where}; COIN uses ResNet-18 features when ResNet18.onnx is there", models.Describe(o.LpipsWeightsPath));
        return await ResNet18Async(device, o.PerceptualDownsample, required: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>LPIPS-VGG16 on <paramref name="device"/>, or null when its weights file is not in the models store.</summary>
    private async Task<LpipsVgg16PerceptualLoss?> LpipsAsync(torch.Device device, TrainingStageOptions o, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var key = device.ToString();
            if (lpips.TryGetValue(key, out var loaded)) return loaded;
            if (weights is null)
            {
                var file = await models.TryOpenAsync(o.LpipsWeightsPath, cancellationToken).ConfigureAwait(false);
                if (file is null) return null;
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

    /// <summary>
    /// The ResNet-18 feature loss on <paramref name="device"/> seeing images pooled by <paramref name="downsample"/>; without its
    /// ONNX file the structural substitute, or (required) unavailable.
    /// </summary>
    private async Task<IPerceptualLoss> ResNet18Async(torch.Device device, int downsample, bool required, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var key = $"{device}/{downsample}";
            if (resnets.TryGetValue(key, out var loaded)) return loaded;
            var path = ResNet18OnnxLocator.TryResolve();
            if (path is null)
            {
                if (required) throw new BackendUnavailableException($"The {ResNet18PerceptualLoss.BackendName} perceptual loss needs ResNet18.onnx; {ResNet18OnnxLocator.InstallHint}.");
                logger.LogInformation("No LPIPS weights and no ResNet18.onnx; COIN uses the structural substitute ({Name})", StructuralPerceptualLoss.BackendName);
                return new StructuralPerceptualLoss();
            }
            ResNet18Trunk trunk;
            try
            {
                trunk = await ResNet18OnnxWeights.LoadAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new BackendUnavailableException($"{path} does not hold the ResNet-18 the {ResNet18PerceptualLoss.BackendName} loss needs: {e.Message}");
            }
            logger.LogInformation("COIN's perceptual loss: {Name} from {Path}, images pooled {Downsample}x", ResNet18PerceptualLoss.BackendName, path, downsample);
            var loss = new ResNet18PerceptualLoss(new ResNet18FeatureDistance(trunk, device), downsample);
            resnets[key] = loss;
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
        foreach (var l in resnets.Values) l.Dispose();
        gate.Dispose();
    }
}

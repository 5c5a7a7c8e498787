using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.SuperResolution;

/// <summary>
/// ESRGAN super-resolution with the RDN models of <c>@upscalerjs/esrgan-slim</c> (MIT) ported to TorchSharp
/// (<see cref="TfjsLayersNetwork"/>). The models take and give RGB in 0..255 (UpscalerJS's <c>inputRange</c> and
/// <c>outputRange</c> for the <c>rdn</c> architecture), the range of <see cref="RgbImageBuffer"/>; the output is clamped to it.
/// Each scale's model is read once, on first use. <see cref="BackendName"/> names the model that produced an image.
/// </summary>
public sealed class EsrganUpscaler : IDisposable
{
    /// <summary>Scales esrgan-slim ships.</summary>
    public static readonly IReadOnlyList<int> AvailableFactors = [2, 3, 4, 8];

    private readonly string modelsFolder;
    private readonly Device device;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<int, TfjsLayersNetwork> networks = [];

    /// <summary>Uses the models under <paramref name="modelsFolder"/> (<c>x{s}/model.json</c>) on <paramref name="device"/>.</summary>
    public EsrganUpscaler(string modelsFolder, Device device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsFolder);
        this.modelsFolder = modelsFolder;
        this.device = device ?? throw new ArgumentNullException(nameof(device));
    }

    /// <summary>The backend label of scale <paramref name="factor"/>, e.g. <c>esrgan-slim-x2</c>.</summary>
    public static string BackendName(int factor) => $"esrgan-slim-x{factor}";

    /// <summary>Super-resolves <paramref name="image"/> (values 0..255) by <paramref name="factor"/> (one of <see cref="AvailableFactors"/>).</summary>
    public async Task<RgbImageBuffer> UpscaleAsync(RgbImageBuffer image, int factor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(image);
        var network = await NetworkAsync(factor, ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = torch.tensor(image.Data, [1, 3, image.Height, image.Width], ScalarType.Float32).to(device); // [1, 3, H, W], 0..255
        var y = network.forward(x).Clamped(0, 255).cpu();                                                        // [1, 3, sH, sW]
        return new RgbImageBuffer(image.Width * factor, image.Height * factor, y.data<float>().ToArray());
    }

    /// <summary>The network of scale <paramref name="factor"/> (read on first use).</summary>
    public async Task<TfjsLayersNetwork> NetworkAsync(int factor, CancellationToken ct)
    {
        if (!AvailableFactors.Contains(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"esrgan-slim has scales {string.Join(", ", AvailableFactors)}.");
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (networks.TryGetValue(factor, out var loaded)) return loaded;
            var model = await TfjsLayersModel.LoadAsync(EsrganModelLocator.ModelJson(modelsFolder, factor), BackendName(factor), ct).ConfigureAwait(false);
            var network = new TfjsLayersNetwork(model);
            if (network.UpscaleFactor != factor)
                throw new InvalidDataException($"{BackendName(factor)} up-samples by {network.UpscaleFactor}, not {factor}.");
            network.to(device);
            networks[factor] = network;
            return network;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var n in networks.Values) n.Dispose();
        gate.Dispose();
    }
}

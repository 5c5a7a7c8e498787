using FaceCraft4D.Weights;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using FaceCraft4D.Vision.ShapePrior.Template;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.ShapePrior;

/// <summary>
/// The shape-prior backends of this worker by name: <c>template</c> (always available) and <c>panohead</c>
/// (needs the converted PanoHead generator and the LPIPS weights in the models store). Each backend is built once.
/// </summary>
public sealed class ShapePriorBackends : IDisposable
{
    /// <summary>Name of the default backend.</summary>
    public const string Template = TemplateShapePrior.BackendName;

    /// <summary>Name of the GAN-inversion backend.</summary>
    public const string PanoHead = "panohead";

    private readonly HeadModelProvider headModels;
    private readonly ModelStore store;
    private readonly ShapePriorStageOptions options;
    private readonly AsyncOnce<TemplateShapePrior> template;
    private readonly AsyncOnce<PanoHeadShapePrior> panoHead;

    /// <summary>Creates the catalog (nothing is loaded yet).</summary>
    public ShapePriorBackends(HeadModelProvider headModels, ModelStore store, IOptions<ShapePriorStageOptions> options)
    {
        this.headModels = headModels;
        this.store = store;
        this.options = options.Value;
        template = new AsyncOnce<TemplateShapePrior>(async ct =>
        {
            var model = await headModels.GetAsync(ct).ConfigureAwait(false);
            return new TemplateShapePrior(model.Data, this.options.Template);
        });
        panoHead = new AsyncOnce<PanoHeadShapePrior>(async ct =>
        {
            var generator = await ReadAsync(GeneratorPath, ct).ConfigureAwait(false);
            var lpips = await ReadAsync(LpipsPath, ct).ConfigureAwait(false);
            var templatePrior = await TemplateAsync(ct).ConfigureAwait(false);
            var config = await PanoHeadModelConfig.ReadAsync(store, this.options.PanoHeadPath, ct).ConfigureAwait(false);
            // A folder that states its configuration also states its raw render side (it belongs to the checkpoint).
            var priorOptions = config is null
                ? this.options.PanoHead
                : new PanoHeadShapePriorOptions
                {
                    Inversion = this.options.PanoHead.Inversion,
                    Device = this.options.PanoHead.Device,
                    NeuralRenderingResolution = config.NeuralRenderingResolution,
                };
            try
            {
                return new PanoHeadShapePrior(templatePrior, generator, lpips, config ?? PanoHeadConfig.Official, priorOptions);
            }
            catch (Exception e) when (e is WeightLoadException or InvalidDataException)
            {
                throw new BackendUnavailableException($"The PanoHead or LPIPS weights in the models store do not match the network: {e.Message}");
            }
        });
    }

    private string GeneratorPath => $"{options.PanoHeadPath.TrimEnd('/')}/generator.safetensors";

    private string LpipsPath => options.LpipsWeightsPath;

    private async Task<InMemorySafeTensors> ReadAsync(string path, CancellationToken ct)
    {
        var file = await store.TryOpenAsync(path, ct).ConfigureAwait(false)
            ?? throw new BackendUnavailableException($"The panohead shape prior needs {store.Describe(path)}; it is not there.");
        await using var stream = file.Stream;
        return await InMemorySafeTensors.ReadAsync(stream, ct).ConfigureAwait(false);
    }

    /// <summary>Backend names for the capabilities endpoint.</summary>
    public static IReadOnlyList<string> Names { get; } = [Template, PanoHead];

    /// <summary>The head model every backend fits (FLAME parameters are always produced).</summary>
    public Task<HeadModel> HeadModelAsync(CancellationToken cancellationToken) => headModels.GetAsync(cancellationToken);

    /// <summary>The template backend (it also provides the FLAME fit for the other backends).</summary>
    public Task<TemplateShapePrior> TemplateAsync(CancellationToken cancellationToken) => template.GetAsync(cancellationToken);

    /// <summary>The backend of that name.</summary>
    /// <exception cref="BackendUnavailableException">Its weights are not in the models store.</exception>
    /// <exception cref="StageInputException">The name is not a shape-prior backend.</exception>
    public async Task<IShapePrior> GetAsync(string name, CancellationToken cancellationToken)
    {
        switch (name.ToLowerInvariant())
        {
            case Template:
                return await TemplateAsync(cancellationToken).ConfigureAwait(false);
            case PanoHead:
                var missing = new List<string>();
                foreach (var path in new[] { GeneratorPath, LpipsPath })
                    if (!await store.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
                        missing.Add(store.Describe(path));
                if (missing.Count > 0)
                    throw new BackendUnavailableException(
                        $"The panohead shape prior needs the converted PanoHead generator and the one LPIPS file; missing: {string.Join(", ", missing)} " +
                        "(conversion recipe in shared/FaceCraft4D.Vision/ShapePrior/README.md). " +
                        "Use ShapePriorBackend 'template', or put the weights in the models store.");
                return await panoHead.GetAsync(cancellationToken).ConfigureAwait(false);
            default:
                throw new StageInputException("unknown-backend", $"'{name}' is not a shape-prior backend; use one of: {string.Join(", ", Names)}.");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        panoHead.Dispose();
        template.Dispose();
    }
}

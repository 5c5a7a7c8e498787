using FaceCraft4D.Stages.Models;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.ShapePrior;

/// <summary>
/// The shape-prior backends of this worker by name: <c>template</c> (always available) and <c>panohead</c>
/// (needs the converted PanoHead weights in the models store). Each backend is built once.
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
                var generator = $"{options.PanoHeadPath.TrimEnd('/')}/generator.safetensors";
                if (!await store.ExistsAsync(generator, cancellationToken).ConfigureAwait(false))
                    throw new BackendUnavailableException(
                        $"The panohead shape prior needs the converted PanoHead generator weights at {store.Describe(generator)}; " +
                        "none are there. Use ShapePriorBackend 'template', or put the weights in the models store.");
                throw new BackendUnavailableException(
                    "PanoHead weights were found, but this worker build has no PanoHead inversion backend wired in yet.");
            default:
                throw new StageInputException("unknown-backend", $"'{name}' is not a shape-prior backend; use one of: {string.Join(", ", Names)}.");
        }
    }

    /// <inheritdoc />
    public void Dispose() => template.Dispose();
}

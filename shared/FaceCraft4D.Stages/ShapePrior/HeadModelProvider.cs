using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Stages.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.ShapePrior;

/// <summary>The head model of this worker and where it came from.</summary>
/// <param name="Data">The FLAME-format arrays.</param>
/// <param name="Source">The models-store path of an operator's FLAME, or <c>builtin:fc4d-procedural-head</c>.</param>
/// <param name="BuiltIn">True for the procedural head.</param>
public sealed record HeadModel(FlameModelData Data, string Source, bool BuiltIn);

/// <summary>
/// Loads the head model once per worker: the operator's FLAME from the models store when present
/// (<see cref="ShapePriorStageOptions.FlameModelPath"/>), otherwise the built-in procedural head.
/// </summary>
public sealed class HeadModelProvider : IDisposable
{
    private readonly AsyncOnce<HeadModel> model;

    /// <summary>Creates the provider (nothing is loaded yet).</summary>
    public HeadModelProvider(ModelStore store, IOptions<ShapePriorStageOptions> options, ILogger<HeadModelProvider> logger)
    {
        var path = options.Value.FlameModelPath;
        model = new AsyncOnce<HeadModel>(async ct =>
        {
            var file = await store.TryOpenAsync(path, ct).ConfigureAwait(false);
            if (file is null)
            {
                logger.LogInformation("No FLAME model at {Where}; using the built-in procedural head", store.Describe(path));
                return new HeadModel(ProceduralHeadModel.Create(), $"builtin:{ProceduralHeadModel.ModelName}", BuiltIn: true);
            }
            await using var stream = file.Value.Stream;
            var data = await FlameModelFile.LoadAsync(stream, addTeeth: true, ct).ConfigureAwait(false);
            logger.LogInformation("Loaded FLAME model {Name} ({Vertices} vertices) from {Source}", data.Name, data.VertexCount, file.Value.Source);
            return new HeadModel(data, file.Value.Source, BuiltIn: false);
        });
    }

    /// <summary>The model, loaded on the first call.</summary>
    public Task<HeadModel> GetAsync(CancellationToken cancellationToken) => model.GetAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (model.IsCreated) model.GetAsync(CancellationToken.None).GetAwaiter().GetResult().Data.Dispose();
        model.Dispose();
    }
}

using FaceCraft4D.Contracts;
using FaceCraft4D.Stages.Models;

namespace FaceCraft4D.Stages;

/// <summary>
/// What runs each stage in this worker (<see cref="StageImplementation"/>): the registered handler's implementation
/// version and the fingerprint of the weights it declares, as found in the model store now.
/// </summary>
public sealed class StageImplementations(StageHandlerCatalog handlers, ModelStore models)
{
    /// <summary>The implementation of a stage, or null when this worker has no handler for it.</summary>
    public async Task<StageImplementation?> DescribeAsync(PipelineStage stage, CancellationToken cancellationToken)
    {
        if (handlers.Find(stage) is not { } handler)
        {
            return null;
        }

        var weights = await models.FingerprintAsync(handler.WeightPaths, cancellationToken).ConfigureAwait(false);
        return new StageImplementation(stage, handler.ImplementationVersion, weights);
    }
}

using FaceCraft4D.Contracts;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary>
/// Stage 3 "EnhanceBackView" (paper 3.2): the back view (parameter <c>view</c> = ViewCount / 2), warped from the
/// reference only; it becomes the second anchor of stage 4.
/// </summary>
public sealed class EnhanceBackViewStageHandler(ViewEnhancementStage stage, ViewEnhancers enhancers, IOptions<DiffusionViewEnhancerOptions> diffusion) : IStageHandler
{
    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.EnhanceBackView;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends => enhancers.Names;

    /// <inheritdoc />
    /// <remarks>3: the reference anchor's facing gate on (<c>DepthWarpOptions.AnchorFacingMin</c> >= 0, s23); 2 with it off (the
    /// default); 2 more with the mirrored reference anchor (<c>DepthWarpOptions.MirroredReference</c>, s25), so a run that
    /// switches either never reuses the other setting's checkpoints (<see cref="ViewEnhancementStage.ImplementationVersion"/>).</remarks>
    public int ImplementationVersion => stage.ImplementationVersion;

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [diffusion.Value.Folder];

    /// <inheritdoc />
    public Task<StageResult> ExecuteAsync(StageJobContext context) => stage.ExecuteAsync(context, withBackAnchor: false);
}

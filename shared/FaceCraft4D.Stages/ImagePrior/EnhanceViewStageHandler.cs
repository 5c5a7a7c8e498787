using FaceCraft4D.Contracts;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary>
/// Stage 4 "EnhanceView" (paper 3.2, supp. 6.2), one work item per view (parameter <c>view</c>): warped from both
/// anchors, the reference and the enhanced back view; per pixel the visible anchor nearest in viewing angle wins.
/// </summary>
public sealed class EnhanceViewStageHandler(ViewEnhancementStage stage, ViewEnhancers enhancers, IOptions<DiffusionViewEnhancerOptions> diffusion) : IStageHandler
{
    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.EnhanceView;

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
    public Task<StageResult> ExecuteAsync(StageJobContext context) => stage.ExecuteAsync(context, withBackAnchor: true);
}

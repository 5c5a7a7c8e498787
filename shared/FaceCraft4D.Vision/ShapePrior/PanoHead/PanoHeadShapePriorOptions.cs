namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>Settings of the <c>panohead</c> shape prior (bind from <c>Fc4d:ShapePrior:PanoHead</c>).</summary>
public sealed class PanoHeadShapePriorOptions
{
    /// <summary>The inversion.</summary>
    public PanoHeadInversionOptions Inversion { get; set; } = new();

    /// <summary>Raw render side of the checkpoint (64 for the first-stage checkpoint, 128 after PanoHead's second stage).</summary>
    public int NeuralRenderingResolution { get; set; } = 64;

    /// <summary>TorchSharp device ("cuda" on the GPU worker).</summary>
    public string Device { get; set; } = "cpu";
}

namespace FaceCraft4D.Metrics.Protocol;

/// <summary>Role of a view in the evaluation protocol.</summary>
public enum ViewKind
{
    /// <summary>The input photo's own viewpoint: compared pixel-wise with the reference image.</summary>
    Reference,

    /// <summary>One of the five static novel views.</summary>
    Static,

    /// <summary>A frame of a driven expression clip.</summary>
    Animation,
}

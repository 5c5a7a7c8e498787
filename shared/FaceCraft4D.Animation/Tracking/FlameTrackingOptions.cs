namespace FaceCraft4D.Animation.Tracking;

/// <summary>
/// Settings of <see cref="FlameTracker"/> (configuration section <c>Fc4d:Tracking</c>). The iteration counts come from
/// the run settings (TrackingFirstFrameIterations, TrackingPerFrameIterations, TrackingGlobalEpochs); everything else
/// is here. Loss weights are for: photometric L1 (mean over pixels and views), landmark squared distance in units of
/// the image width, and squared parameter norms.
/// </summary>
public sealed class FlameTrackingOptions
{
    /// <summary>Largest side of the images the tracker compares (frames are area-downsampled to it; 0 = the frame size).</summary>
    public int MaxResolution { get; set; } = 256;

    /// <summary>Gaussians per mesh triangle of the photometric renderer (1, 3 or 4).</summary>
    public int SplatsPerTriangle { get; set; } = 1;

    /// <summary>In-plane standard deviation of a splat in units of its triangle's frame scale (covers the triangle with overlap).</summary>
    public double SplatScale { get; set; } = 0.4;

    /// <summary>Opacity of every splat (near 1: the surface occludes what is behind it).</summary>
    public double SplatOpacity { get; set; } = 0.95;

    /// <summary>
    /// Low-pass dilation of the splats' 2D covariances (pixels^2; 3DGS uses 0.3). Smaller keeps the splat silhouette as
    /// tight as the mesh's (measured: single-view tracks of one clip agree about twice as well with 0.1 as with 0.3).
    /// </summary>
    public double LowPassFilter { get; set; } = 0.1;

    /// <summary>Weight of the photometric L1 term.</summary>
    public double PhotometricWeight { get; set; } = 1.0;

    /// <summary>
    /// Weight of the silhouette term |alpha - mask| (frames' masks). Off by default: the colour over the white background
    /// already carries the silhouette, and the splats' soft edge makes the alpha term biased (measured).
    /// </summary>
    public double SilhouetteWeight { get; set; }

    /// <summary>Weight of the landmark term (mean squared distance / width^2).</summary>
    public double LandmarkWeight { get; set; } = 200.0;

    /// <summary>Relative weight of the jaw-contour landmarks (iBUG 0-16; they slide on the surface as the head turns).</summary>
    public double ContourLandmarkWeight { get; set; } = 0.2;

    /// <summary>Weight of the squared expression coefficients (FLAME units: standard deviations).</summary>
    public double ExpressionPrior { get; set; } = 1e-4;

    /// <summary>Weight of the squared jaw, neck and eye rotations (radians).</summary>
    public double PosePrior { get; set; } = 1e-4;

    /// <summary>
    /// Weight of the squared translation (metres): the head does not move in the world (the cameras carry the viewpoint),
    /// and a single view cannot tell a translation along its axis from a change of size, so this prior is strong.
    /// </summary>
    public double TranslationPrior { get; set; } = 1000.0;

    /// <summary>Weight of the squared change of the per-frame parameters between neighbouring frames.</summary>
    public double TemporalWeight { get; set; } = 1e-3;

    /// <summary>Weight of the squared identity change from the shape prior's fit.</summary>
    public double ShapePrior { get; set; } = 1e-3;

    /// <summary>Weight of the mean squared static-offset refinement (metres^2, scaled by 1e6: millimetres^2).</summary>
    public double OffsetPrior { get; set; } = 1e-3;

    /// <summary>Weight of the mean squared Laplacian of the static-offset refinement (millimetres^2).</summary>
    public double OffsetSmoothness { get; set; } = 1e-2;

    /// <summary>Learning rate of the expression coefficients.</summary>
    public double ExpressionRate { get; set; } = 0.05;

    /// <summary>Learning rate of the jaw, neck and eye rotations (radians).</summary>
    public double PoseRate { get; set; } = 0.02;

    /// <summary>Learning rate of the translation (metres).</summary>
    public double TranslationRate { get; set; } = 0.0005;

    /// <summary>Learning rate of the identity coefficients.</summary>
    public double ShapeRate { get; set; } = 0.01;

    /// <summary>Learning rate of the static offsets (metres).</summary>
    public double OffsetRate { get; set; } = 0.0002;

    /// <summary>Learning-rate factor of the global refinement.</summary>
    public double GlobalRateFactor { get; set; } = 0.3;

    /// <summary>Expression components tracked at most (the rest stay at the fitted neutral).</summary>
    public int MaxExpressionComponents { get; set; } = 100;

    /// <summary>Refine the identity and the static offsets (first frame and global refinement).</summary>
    public bool RefineIdentity { get; set; } = true;

    /// <summary>TorchSharp device ("cpu", "cuda").</summary>
    public string Device { get; set; } = "cpu";
}

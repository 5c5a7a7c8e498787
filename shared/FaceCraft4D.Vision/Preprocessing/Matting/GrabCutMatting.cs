using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Classical portrait matting without learned weights: landmark-seeded GrabCut with a soft person-shape prior on a downscaled copy of the
/// crop (<see cref="PortraitTrimap"/>, <see cref="GrabCutSegmenter"/>), the hard mask upsampled to full size and
/// cleaned topologically (<see cref="MaskCleanup"/>), turned into a soft alpha band along the boundary by a colour-guided filter (<see cref="ColourGuidedFilter"/>).
/// </summary>
public sealed class GrabCutMatting : IForegroundMatting
{
    private readonly MattingOptions options;

    public GrabCutMatting(MattingOptions options) => this.options = options;

    /// <summary>Short backend label recorded in the preprocess report and the stage backend.</summary>
    public const string Label = "grabcut";

    public string BackendName => "GrabCut (landmark-seeded GMM graph cut) + colour guided-filter alpha band";

    public Task<MattingResult> MatteAsync(RgbImageBuffer crop, FaceLandmarks68 landmarks, CancellationToken ct)
    {
        int w = crop.Width, h = crop.Height;
        int ws = Math.Min(options.WorkingSize, Math.Max(w, h));
        double side = Math.Max(w, h), scale = ws / side;
        var small = new RgbImageBuffer(ws, ws, SquareResampler.Resample(crop, 0, 0, side, ws, new PixelRect(0, 0, w, h)));
        // pixel-centre coordinates: x_small = (x + 0.5) * scale - 0.5
        var smallLandmarks = landmarks.Transform((x, y) => ((x + 0.5) * scale - 0.5, (y + 0.5) * scale - 0.5));
        var (trimap, prior) = PortraitTrimap.BuildWithPrior(ws, ws, smallLandmarks, options);
        var cut = new GrabCutSegmenter(options.GrabCut).Segment(small, trimap, ct, prior, options.PriorWeight);
        var labels = MaskCleanup.KeepConnectedToSeeds(cut, ws, ws);
        ct.ThrowIfCancellationRequested();

        // Upsample the hard mask bilinearly to the crop, then threshold at 0.5: the hard full-size cut.
        var hard = new double[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            double u = (x + 0.5) * scale - 0.5, v = (y + 0.5) * scale - 0.5;
            hard[y * w + x] = SampleMask(labels, ws, u, v) >= 0.5 ? 1 : 0;
        }
        var soft = ColourGuidedFilter.Apply(crop, hard, options.GuidedFilterRadius, options.GuidedFilterEps);
        var nearBoundary = BoxFilter.Mean(hard, w, h, options.SoftBandRadius);
        var alpha = new float[w * h];
        for (int i = 0; i < alpha.Length; i++)
        {
            bool band = nearBoundary[i] > 1e-9 && nearBoundary[i] < 1 - 1e-9;
            double a = band ? Math.Clamp(soft[i], 0, 1) : hard[i];
            if (a < 0.02) a = 0; else if (a > 0.98) a = 1;
            alpha[i] = (float)a;
        }
        return Task.FromResult(new MattingResult(w, h, alpha, Label));
    }

    private static double SampleMask(TrimapLabel[] labels, int ws, double u, double v)
    {
        u = Math.Clamp(u, 0, ws - 1); v = Math.Clamp(v, 0, ws - 1);
        int x0 = (int)Math.Floor(u), y0 = (int)Math.Floor(v);
        int x1 = Math.Min(x0 + 1, ws - 1), y1 = Math.Min(y0 + 1, ws - 1);
        double fx = u - x0, fy = v - y0;
        double F(int x, int y) => labels[y * ws + x] is TrimapLabel.SureForeground or TrimapLabel.ProbableForeground ? 1 : 0;
        return (F(x0, y0) * (1 - fx) + F(x1, y0) * fx) * (1 - fy) + (F(x0, y1) * (1 - fx) + F(x1, y1) * fx) * fy;
    }
}

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Trimap of a hard mask: pixels within <c>radius</c> (a (2r+1)² window) of the mask boundary are unknown, the rest
/// keep the mask's label (sure foreground / sure background).
/// </summary>
public static class BoundaryTrimap
{
    public static TrimapLabel[] Build(double[] hard, int width, int height, int radius)
    {
        var mean = BoxFilter.Mean(hard, width, height, radius);
        var labels = new TrimapLabel[hard.Length];
        for (int i = 0; i < hard.Length; i++)
        {
            bool unknown = mean[i] > 1e-9 && mean[i] < 1 - 1e-9;
            labels[i] = unknown
                ? (hard[i] >= 0.5 ? TrimapLabel.ProbableForeground : TrimapLabel.ProbableBackground)
                : (hard[i] >= 0.5 ? TrimapLabel.SureForeground : TrimapLabel.SureBackground);
        }
        return labels;
    }
}

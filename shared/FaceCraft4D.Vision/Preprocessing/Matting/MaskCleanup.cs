namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// Topological clean-up of a GrabCut labelling: foreground islands not 4-connected to sure foreground
/// (the face core) become background, and background holes not 4-connected to sure background become foreground.
/// </summary>
public static class MaskCleanup
{
    public static TrimapLabel[] KeepConnectedToSeeds(TrimapLabel[] labels, int w, int h)
    {
        var result = (TrimapLabel[])labels.Clone();
        static bool Fg(TrimapLabel l) => l is TrimapLabel.SureForeground or TrimapLabel.ProbableForeground;
        var fgReached = Flood(labels, w, h, l => l == TrimapLabel.SureForeground, Fg);
        for (int i = 0; i < result.Length; i++)
            if (result[i] == TrimapLabel.ProbableForeground && !fgReached[i]) result[i] = TrimapLabel.ProbableBackground;
        var bgReached = Flood(result, w, h, l => l == TrimapLabel.SureBackground, l => !Fg(l));
        for (int i = 0; i < result.Length; i++)
            if (result[i] == TrimapLabel.ProbableBackground && !bgReached[i]) result[i] = TrimapLabel.ProbableForeground;
        return result;
    }

    private static bool[] Flood(TrimapLabel[] labels, int w, int h, Func<TrimapLabel, bool> seed, Func<TrimapLabel, bool> passable)
    {
        var seen = new bool[labels.Length];
        var queue = new Queue<int>();
        for (int i = 0; i < labels.Length; i++)
            if (seed(labels[i])) { seen[i] = true; queue.Enqueue(i); }
        while (queue.Count > 0)
        {
            int i = queue.Dequeue();
            int x = i % w, y = i / w;
            Visit(x - 1, y); Visit(x + 1, y); Visit(x, y - 1); Visit(x, y + 1);
        }
        return seen;

        void Visit(int x, int y)
        {
            if (x < 0 || y < 0 || x >= w || y >= h) return;
            int j = y * w + x;
            if (seen[j] || !passable(labels[j])) return;
            seen[j] = true; queue.Enqueue(j);
        }
    }
}

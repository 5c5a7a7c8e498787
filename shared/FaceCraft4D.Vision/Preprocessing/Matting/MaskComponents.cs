namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Connected components of a binary mask (4-connectivity).</summary>
public static class MaskComponents
{
    /// <summary>The mask with only the components that contain a seed pixel (seeds outside the mask are ignored).</summary>
    public static bool[] KeepTouching(bool[] mask, int width, int height, bool[] seeds)
    {
        var kept = new bool[mask.Length];
        var queue = new Queue<int>();
        for (int i = 0; i < mask.Length; i++)
            if (mask[i] && seeds[i]) { kept[i] = true; queue.Enqueue(i); }
        while (queue.Count > 0)
        {
            int i = queue.Dequeue(), x = i % width, y = i / width;
            if (x > 0) Visit(i - 1);
            if (x < width - 1) Visit(i + 1);
            if (y > 0) Visit(i - width);
            if (y < height - 1) Visit(i + width);
        }
        return kept;

        void Visit(int j)
        {
            if (kept[j] || !mask[j]) return;
            kept[j] = true; queue.Enqueue(j);
        }
    }
}

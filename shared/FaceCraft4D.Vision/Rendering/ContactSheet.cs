using System.Numerics;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>One cell group of a contact sheet: a view's colour image, its depth and its mask.</summary>
public sealed record ContactSheetView(RgbImage Image, DepthMap Depth, FloatImage Mask);

/// <summary>
/// A contact sheet of orbit views for people: views in order (view 0 top left, row-major, <c>columns</c> per row);
/// each view shows three stacked thumbnails: colour, depth (nearer is brighter, normalised per view, background
/// black) and mask (white = head). Cells are separated by a grey gutter.
/// </summary>
public static class ContactSheet
{
    /// <summary>Composes the sheet.</summary>
    /// <param name="views">The views in order.</param>
    /// <param name="thumbnail">Side of each thumbnail in pixels.</param>
    /// <param name="columns">Views per row.</param>
    /// <param name="gutter">Pixels between cells.</param>
    public static RgbImage Compose(IReadOnlyList<ContactSheetView> views, int thumbnail, int columns, int gutter = 4)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count == 0) throw new ArgumentException("No views.", nameof(views));
        columns = Math.Clamp(columns, 1, views.Count);
        int rows = (views.Count + columns - 1) / columns;
        int cellW = thumbnail + gutter, cellH = 3 * thumbnail + gutter;
        var sheet = RgbImage.Filled(columns * cellW + gutter, rows * cellH + gutter, new Vector3(0.5f));
        for (int i = 0; i < views.Count; i++)
        {
            int x0 = gutter + (i % columns) * cellW, y0 = gutter + (i / columns) * cellH;
            Paste(sheet, views[i].Image.Resize(thumbnail, thumbnail), x0, y0);
            Paste(sheet, DepthVisualisation(views[i].Depth).Resize(thumbnail, thumbnail), x0, y0 + thumbnail);
            Paste(sheet, Grey(views[i].Mask).Resize(thumbnail, thumbnail), x0, y0 + 2 * thumbnail);
        }
        return sheet;
    }

    /// <summary>Depth as grey levels: nearest rendered depth 1, farthest 0.15, background 0.</summary>
    public static RgbImage DepthVisualisation(DepthMap depth)
    {
        ArgumentNullException.ThrowIfNull(depth);
        var (min, max) = depth.Range();
        var image = new RgbImage(depth.Width, depth.Height);
        float span = Math.Max(max - min, 1e-6f);
        for (int y = 0; y < depth.Height; y++)
        for (int x = 0; x < depth.Width; x++)
        {
            float d = depth[x, y];
            if (d <= 0) continue;
            image[x, y] = new Vector3(1f - 0.85f * (d - min) / span);
        }
        return image;
    }

    private static RgbImage Grey(FloatImage mask)
    {
        var image = new RgbImage(mask.Width, mask.Height);
        for (int y = 0; y < mask.Height; y++)
        for (int x = 0; x < mask.Width; x++) image[x, y] = new Vector3(Math.Clamp(mask[x, y], 0f, 1f));
        return image;
    }

    private static void Paste(RgbImage target, RgbImage source, int x0, int y0)
    {
        for (int y = 0; y < source.Height; y++)
        for (int x = 0; x < source.Width; x++) target[x0 + x, y0 + y] = source[x, y];
    }
}

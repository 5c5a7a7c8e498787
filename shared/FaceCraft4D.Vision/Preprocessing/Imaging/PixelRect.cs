namespace FaceCraft4D.Vision.Preprocessing.Imaging;

/// <summary>Integer pixel rectangle [X, X+Width) x [Y, Y+Height).</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public PixelRect Intersect(PixelRect o)
    {
        int x0 = Math.Max(X, o.X), y0 = Math.Max(Y, o.Y);
        int x1 = Math.Min(X + Width, o.X + o.Width), y1 = Math.Min(Y + Height, o.Y + o.Height);
        return new PixelRect(x0, y0, Math.Max(0, x1 - x0), Math.Max(0, y1 - y0));
    }
}

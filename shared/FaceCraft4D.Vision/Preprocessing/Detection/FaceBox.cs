namespace FaceCraft4D.Vision.Preprocessing.Detection;

/// <summary>Axis-aligned face box in image pixels (X, Y = top-left corner).</summary>
public readonly record struct FaceBox(double X, double Y, double Width, double Height)
{
    public double Area => Math.Max(0, Width) * Math.Max(0, Height);
    public double Right => X + Width;
    public double Bottom => Y + Height;
    public double CenterX => X + Width / 2;
    public double CenterY => Y + Height / 2;
    /// <summary>Larger side, the "face size" used for the minimum-size check.</summary>
    public double Size => Math.Max(Width, Height);

    public double IntersectionOverUnion(FaceBox o)
    {
        double iw = Math.Min(Right, o.Right) - Math.Max(X, o.X);
        double ih = Math.Min(Bottom, o.Bottom) - Math.Max(Y, o.Y);
        if (iw <= 0 || ih <= 0) return 0;
        double inter = iw * ih;
        return inter / (Area + o.Area - inter);
    }
}

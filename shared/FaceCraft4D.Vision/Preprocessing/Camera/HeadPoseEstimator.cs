using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Preprocessing.Camera;

/// <summary>
/// Perspective-n-point by weighted least squares: finds yaw, pitch, roll and translation of the generic
/// 3D face (<see cref="MeanFace3D"/>) whose pinhole projection (focal length from the fixed field of view,
/// principal point at the image centre) best matches the 68 landmarks, with Levenberg-Marquardt.
/// </summary>
public sealed class HeadPoseEstimator
{
    public const string BackendName = "PnP (Levenberg-Marquardt) on a generic 68-point 3D face, fixed FOV";
    private readonly CameraOptions options;

    public HeadPoseEstimator(CameraOptions options) => this.options = options;

    public static double FocalFromFov(double fovDegrees, int imageSide) => 0.5 * imageSide / Math.Tan(fovDegrees * Math.PI / 360.0);

    public CameraEstimate Estimate(FaceLandmarks68 landmarks, int imageWidth, int imageHeight)
    {
        double f = FocalFromFov(options.FovDegrees, Math.Max(imageWidth, imageHeight));
        double cx = imageWidth / 2.0 - 0.5, cy = imageHeight / 2.0 - 0.5;
        var model = MeanFace3D.Points;

        // Initial guess: frontal, distance from the eye-to-mouth span, centred on the landmark centroid.
        var eyes = Mid(landmarks.RightEyeCentre, landmarks.LeftEyeCentre);
        var mouth = landmarks.MouthCentre;
        double spanPx = Math.Max(1e-3, Dist(eyes, mouth));
        double spanMm = 36 - (-34); // eye line to mouth centre on the template
        double tz0 = f * spanMm / spanPx;
        var (mx, my) = landmarks.Mean(0, 67);
        var p = new double[] { 0, 0, 0, (mx - cx) * tz0 / f, (my - cy) * tz0 / f, tz0 };

        double lambda = 1e-3;
        double cost = Cost(p, landmarks, model, f, cx, cy);
        var r = new double[136];
        var J = new double[136, 6];
        for (int it = 0; it < options.MaxIterations; it++)
        {
            Residuals(p, landmarks, model, f, cx, cy, r);
            for (int k = 0; k < 6; k++)
            {
                double h = k < 3 ? 1e-5 : 1e-4 * Math.Max(1, Math.Abs(p[k]));
                var pp = (double[])p.Clone(); pp[k] += h;
                var pm = (double[])p.Clone(); pm[k] -= h;
                var rp = new double[136]; var rm = new double[136];
                Residuals(pp, landmarks, model, f, cx, cy, rp);
                Residuals(pm, landmarks, model, f, cx, cy, rm);
                for (int i = 0; i < 136; i++) J[i, k] = (rp[i] - rm[i]) / (2 * h);
            }
            var jtj = new double[6, 6]; var jtr = new double[6];
            for (int i = 0; i < 136; i++)
            for (int a = 0; a < 6; a++)
            {
                jtr[a] += J[i, a] * r[i];
                for (int b = 0; b < 6; b++) jtj[a, b] += J[i, a] * J[i, b];
            }
            bool improved = false;
            for (int attempt = 0; attempt < 10 && !improved; attempt++)
            {
                var m = (double[,])jtj.Clone();
                for (int a = 0; a < 6; a++) m[a, a] += lambda * (jtj[a, a] + 1e-9);
                var step = Solve(m, jtr.Select(v => -v).ToArray());
                var candidate = p.Zip(step, (x, d) => x + d).ToArray();
                double c = Cost(candidate, landmarks, model, f, cx, cy);
                if (c < cost)
                {
                    double gain = cost - c;
                    p = candidate; cost = c; lambda = Math.Max(lambda / 3, 1e-9); improved = true;
                    if (gain < 1e-10 * (1 + cost)) it = options.MaxIterations;
                }
                else lambda *= 4;
            }
            if (!improved) break;
        }
        double rms = Math.Sqrt(UnweightedSquaredError(p, landmarks, model, f, cx, cy) / 68);
        return new CameraEstimate(options.FovDegrees, f, cx, cy, imageWidth, imageHeight,
            Deg(p[0]), Deg(p[1]), Deg(p[2]), p[3], p[4], p[5], rms, BackendName);
    }

    /// <summary>Projects the generic face under (yaw, pitch, roll radians, tx, ty, tz) into pixels.</summary>
    public static (double U, double V) Project((double X, double Y, double Z) m, IReadOnlyList<double> p, double f, double cx, double cy)
    {
        double cyaw = Math.Cos(p[0]), syaw = Math.Sin(p[0]);
        double cp = Math.Cos(p[1]), sp = Math.Sin(p[1]);
        double cr = Math.Cos(p[2]), sr = Math.Sin(p[2]);
        // yaw about the vertical axis: the nose (+z) swings to +x.
        double x1 = m.X * cyaw + m.Z * syaw, y1 = m.Y, z1 = -m.X * syaw + m.Z * cyaw;
        // pitch about the horizontal axis: the nose (+z) swings up (+y).
        double x2 = x1, y2 = y1 * cp + z1 * sp, z2 = -y1 * sp + z1 * cp;
        // roll about the viewing axis: clockwise on screen (x moves down).
        double x3 = x2 * cr + y2 * sr, y3 = -x2 * sr + y2 * cr, z3 = z2;
        // model (y up, z to camera) -> camera (y down, z forward)
        double xc = x3 + p[3], yc = -y3 + p[4], zc = -z3 + p[5];
        if (zc < 1e-6) zc = 1e-6;
        return (f * xc / zc + cx, f * yc / zc + cy);
    }

    private static void Residuals(double[] p, FaceLandmarks68 lm, IReadOnlyList<(double X, double Y, double Z)> model, double f, double cx, double cy, double[] r)
    {
        for (int i = 0; i < 68; i++)
        {
            var (u, v) = Project(model[i], p, f, cx, cy);
            var (x, y) = lm[i];
            double w = Math.Sqrt(MeanFace3D.Weight(i));
            r[2 * i] = w * (u - x); r[2 * i + 1] = w * (v - y);
        }
    }

    private static double Cost(double[] p, FaceLandmarks68 lm, IReadOnlyList<(double X, double Y, double Z)> model, double f, double cx, double cy)
    {
        var r = new double[136];
        Residuals(p, lm, model, f, cx, cy, r);
        return r.Sum(v => v * v);
    }

    private static double UnweightedSquaredError(double[] p, FaceLandmarks68 lm, IReadOnlyList<(double X, double Y, double Z)> model, double f, double cx, double cy)
    {
        double s = 0;
        for (int i = 0; i < 68; i++)
        {
            var (u, v) = Project(model[i], p, f, cx, cy);
            var (x, y) = lm[i];
            s += (u - x) * (u - x) + (v - y) * (v - y);
        }
        return s;
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone(); var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[piv, c])) piv = r;
            if (Math.Abs(m[piv, c]) < 1e-18) return new double[n];
            if (piv != c)
            {
                for (int k = 0; k < n; k++) (m[c, k], m[piv, k]) = (m[piv, k], m[c, k]);
                (x[c], x[piv]) = (x[piv], x[c]);
            }
            for (int r = c + 1; r < n; r++)
            {
                double fct = m[r, c] / m[c, c];
                for (int k = c; k < n; k++) m[r, k] -= fct * m[c, k];
                x[r] -= fct * x[c];
            }
        }
        for (int c = n - 1; c >= 0; c--)
        {
            double s = x[c];
            for (int k = c + 1; k < n; k++) s -= m[c, k] * x[k];
            x[c] = s / m[c, c];
        }
        return x;
    }

    private static (double X, double Y) Mid((double X, double Y) a, (double X, double Y) b) => ((a.X + b.X) / 2, (a.Y + b.Y) / 2);
    private static double Dist((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
    private static double Deg(double r) => r * 180.0 / Math.PI;
}

using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// The project's built-in neutral head in FLAME format (deterministic, no downloaded data): a head-shaped surface
/// (ellipsoid with nose, brows, eye sockets, cheekbones, lips, chin, jaw angles and ears), an open neck, a mouth slit
/// whose lower lip is skinned to the jaw, two eyeballs skinned to the eye joints and, by default, FLAME 2023-style teeth.
/// It has the FLAME layout: 5 joints (global, neck, jaw, left eye, right eye) regressed linearly from vertices, smooth
/// skinning weights, up to 10 identity and 10 expression blendshapes (a few millimetres per unit, like FLAME's
/// standardised components), small jaw pose correctives, a 68-point iBUG landmark embedding, UVs and region masks
/// ("skull", "jaw", "face", "neck", "eyeballs", "left_eyeball", "right_eyeball", "lip_ring_upper", "lip_ring_lower",
/// "teeth_upper", "teeth_lower"). Units are metres; +y up, the face looks toward +z, +x is the subject's left.
/// </summary>
public static class ProceduralHeadModel
{
    /// <summary>Model name written to files.</summary>
    public const string ModelName = "fc4d-procedural-head";

    private const double FaceBandStart = 57.5, FaceBandEnd = 140.0, NeckBottomY = -0.19;

    /// <summary>Builds the model.</summary>
    public static FlameModelData Create(ProceduralHeadOptions? options = null)
    {
        var o = options ?? new ProceduralHeadOptions();
        Validate(o);
        var b = new Builder(o);
        return b.Build();
    }

    private static void Validate(ProceduralHeadOptions o)
    {
        if (o.AzimuthSegments < 32 || o.AzimuthSegments % 2 != 0) throw new ArgumentOutOfRangeException(nameof(o.AzimuthSegments), "Even and at least 32.");
        double steps = (FaceBandEnd - FaceBandStart) / o.FaceRowStepDegrees;
        if (o.FaceRowStepDegrees <= 0 || Math.Abs(steps - Math.Round(steps)) > 1e-9)
            throw new ArgumentOutOfRangeException(nameof(o.FaceRowStepDegrees), "Must divide the 57.5..140 degree band evenly.");
        double mouthSteps = (HeadSurface.MouthTheta - FaceBandStart) / o.FaceRowStepDegrees;
        if (Math.Abs(mouthSteps - Math.Round(mouthSteps)) > 1e-9)
            throw new ArgumentOutOfRangeException(nameof(o.FaceRowStepDegrees), "The mouth line (115 degrees) must fall on a row.");
        if (o.CrownRows < 2 || o.NeckRows < 2) throw new ArgumentOutOfRangeException(nameof(o.CrownRows));
        if (o.ShapeComponents < 1 || o.ShapeComponents > 10) throw new ArgumentOutOfRangeException(nameof(o.ShapeComponents));
        if (o.ExpressionComponents < 0 || o.ExpressionComponents > 10) throw new ArgumentOutOfRangeException(nameof(o.ExpressionComponents));
        if (o.EyeballSubdivisions < 0 || o.EyeballSubdivisions > 3) throw new ArgumentOutOfRangeException(nameof(o.EyeballSubdivisions));
        if (o.MouthHalfWidthSegments < 2 || o.MouthHalfWidthSegments > o.AzimuthSegments / 6) throw new ArgumentOutOfRangeException(nameof(o.MouthHalfWidthSegments));
    }

    /// <summary>What a vertex is, for the blendshape, weight and mask fields.</summary>
    private enum Part { Head, Neck, LeftEye, RightEye }

    private sealed record VertexInfo(Part Part, double Theta, double Phi, int Side, double NeckT);

    private sealed class Builder
    {
        private readonly ProceduralHeadOptions _o;
        private readonly List<(double X, double Y, double Z)> _pos = new();
        private readonly List<VertexInfo> _info = new();
        private readonly List<(double U, double V)> _uv = new();
        private readonly List<int> _uvOfVertex = new();
        private readonly List<int[]> _faces = new();
        private readonly List<int[]> _uvFaces = new();
        private readonly Dictionary<(int Row, int Col, int Half), int> _gridFace = new();
        private double[] _thetas = Array.Empty<double>();
        private double[] _phis = Array.Empty<double>();
        private int[][] _upper = Array.Empty<int[]>(); // vertex id per head/neck row and column (upper side at the slit)
        private int[] _lowerSlit = Array.Empty<int>();
        private int _mouthRow, _headRows, _pole;
        private readonly (double X, double Y, double Z)[] _eyeCentre = new (double, double, double)[2];
        private readonly List<int>[] _eyeVerts = { new(), new() };

        public Builder(ProceduralHeadOptions o) => _o = o;

        private int N => _o.AzimuthSegments;
        private int Half => _o.MouthHalfWidthSegments;
        private double CornerPhi => _phis[N / 2 + Half];

        private int AddVertex((double X, double Y, double Z) p, VertexInfo info, (double U, double V) uv)
        {
            _pos.Add(p); _info.Add(info); _uv.Add(uv); _uvOfVertex.Add(_uv.Count - 1);
            return _pos.Count - 1;
        }

        public FlameModelData Build()
        {
            BuildGrid();
            BuildEyes();
            var (lmkFaces, lmkBary) = Landmarks();
            int v = _pos.Count;

            var template = new float[v * 3];
            for (int i = 0; i < v; i++) { template[3 * i] = (float)_pos[i].X; template[3 * i + 1] = (float)_pos[i].Y; template[3 * i + 2] = (float)_pos[i].Z; }
            var weights = Weights();
            var regressor = Regressor();
            var shapeDirs = Directions(_o.ShapeComponents, ShapeField);
            var exprDirs = Directions(_o.ExpressionComponents, ExpressionField);
            var poseDirs = PoseCorrectives();

            var masks = Masks();
            var data = new FlameModelData
            {
                VTemplate = torch.tensor(template, new long[] { v, 3 }),
                ShapeDirs = torch.tensor(shapeDirs, new long[] { v, 3, _o.ShapeComponents }),
                ExpressionDirs = torch.tensor(exprDirs, new long[] { v, 3, _o.ExpressionComponents }),
                PoseDirs = torch.tensor(poseDirs, new long[] { 36, v * 3 }),
                JRegressor = torch.tensor(regressor, new long[] { 5, v }),
                Weights = torch.tensor(weights, new long[] { v, 5 }),
                Parents = new long[] { -1, 0, 1, 1, 1 },
                Faces = torch.tensor(_faces.SelectMany(f => f.Select(i => (long)i)).ToArray(), new long[] { _faces.Count, 3 }, ScalarType.Int64),
                LandmarkFaces = torch.tensor(lmkFaces, ScalarType.Int64),
                LandmarkBarycentrics = torch.tensor(lmkBary, new long[] { lmkFaces.Length, 3 }),
                UvCoords = torch.tensor(_uv.SelectMany(u => new[] { (float)u.U, (float)u.V }).ToArray(), new long[] { _uv.Count, 2 }),
                UvFaces = torch.tensor(_uvFaces.SelectMany(f => f.Select(i => (long)i)).ToArray(), new long[] { _uvFaces.Count, 3 }, ScalarType.Int64),
                VertexMasks = masks,
                Name = ModelName,
            };
            data.Validate();
            if (!_o.AddTeeth) return data;
            var upper = masks["lip_ring_upper"].data<long>().ToArray();
            var lower = masks["lip_ring_lower"].data<long>().ToArray();
            var withTeeth = FlameTeeth.Add(data, upper, lower);
            data.Dispose();
            return withTeeth;
        }

        // ---------------------------------------------------------------- geometry

        private void BuildGrid()
        {
            // Azimuths: phi = 180 (s + s^3) / 2 for s uniform in [-1, 1): twice the resolution at the face than on average.
            _phis = Enumerable.Range(0, N).Select(j => { double s = -1 + 2.0 * j / N; return 180.0 * (s + s * s * s) / 2.0; }).ToArray();
            var crown = Enumerable.Range(1, _o.CrownRows).Select(i => FaceBandStart * i / (_o.CrownRows + 1.0)).ToList();
            int fine = (int)Math.Round((FaceBandEnd - FaceBandStart) / _o.FaceRowStepDegrees);
            var face = Enumerable.Range(0, fine + 1).Select(i => FaceBandStart + i * _o.FaceRowStepDegrees);
            _thetas = crown.Concat(face).ToArray(); // head rows (pole excluded)
            _headRows = _thetas.Length;
            _mouthRow = Array.FindIndex(_thetas, t => Math.Abs(t - HeadSurface.MouthTheta) < 1e-9);
            int rows = _headRows + _o.NeckRows;
            double vScale = 0.88; // head+neck UVs take v in [0.1, 0.98]

            _pole = AddVertex(HeadSurface.Position(0, 0), new VertexInfo(Part.Head, 0, 0, 0, 0), (0.5, 0.98));
            _upper = new int[rows][];
            var lastRing = new (double X, double Y, double Z)[N];
            for (int r = 0; r < rows; r++)
            {
                _upper[r] = new int[N];
                double vCoord = 0.98 - vScale * (r + 1) / rows;
                for (int j = 0; j < N; j++)
                {
                    double phi = _phis[j];
                    (double X, double Y, double Z) p;
                    VertexInfo info;
                    if (r < _headRows)
                    {
                        p = HeadSurface.Position(_thetas[r], phi);
                        info = new VertexInfo(Part.Head, _thetas[r], phi, 0, 0);
                        if (r == _headRows - 1) lastRing[j] = p;
                    }
                    else
                    {
                        int k = r - _headRows + 1; // 1..NeckRows
                        double t = (double)k / _o.NeckRows;
                        var top = lastRing[j];
                        double y = top.Y + (NeckBottomY - top.Y) * t;
                        var ring = (X: 0.052 * Math.Sin(HeadSurface.Rad(phi)), Z: -0.02 + 0.057 * Math.Cos(HeadSurface.Rad(phi)));
                        double blend = HeadSurface.SmoothStep(t, 0, 0.6);
                        p = (top.X + (ring.X - top.X) * blend, y, top.Z + (ring.Z - top.Z) * blend);
                        info = new VertexInfo(Part.Neck, FaceBandEnd, phi, 0, t);
                    }
                    double u = (phi + 180.0) / 360.0;
                    _upper[r][j] = AddVertex(p, info, (u, vCoord));
                }
            }

            // Mouth slit: interior vertices of the mouth row get a lower-lip copy; the upper copy opens 0.75 mm up, the lower 0.75 mm down.
            _lowerSlit = new int[N];
            Array.Fill(_lowerSlit, -1);
            for (int j = N / 2 - Half + 1; j <= N / 2 + Half - 1; j++)
            {
                int up = _upper[_mouthRow][j];
                double taper = 1 - Math.Pow(Math.Abs(j - N / 2) / (double)Half, 2);
                var p = _pos[up];
                _pos[up] = (p.X, p.Y + 0.00075 * taper, p.Z);
                _info[up] = _info[up] with { Side = -1 };
                _lowerSlit[j] = AddVertex((p.X, p.Y - 0.00075 * taper, p.Z), _info[up] with { Side = +1 }, _uv[up]);
            }

            // UV seam: one extra UV column (u = 1) per row for faces closing the ring.
            var seamUv = new int[rows];
            for (int r = 0; r < rows; r++) { _uv.Add((1.0, _uv[_upper[r][0]].V)); seamUv[r] = _uv.Count - 1; }
            int UvOf(int r, int j, int vid) => j == N ? seamUv[r] : _uvOfVertex[vid];

            // Crown fan.
            for (int j = 0; j < N; j++)
            {
                int j1 = (j + 1) % N;
                AddFace(new[] { _pole, _upper[0][j], _upper[0][j1] }, new[] { _pole, _upper[0][j], UvOf(0, j + 1, _upper[0][j1]) });
            }
            // Bands.
            for (int r = 0; r + 1 < rows; r++)
                for (int j = 0; j < N; j++)
                {
                    int j1 = (j + 1) % N;
                    int a = _upper[r][j], d = _upper[r][j1];
                    int b = _upper[r + 1][j], c = _upper[r + 1][j1];
                    if (r == _mouthRow)
                    {
                        if (_lowerSlit[j] >= 0) a = _lowerSlit[j];
                        if (_lowerSlit[j1] >= 0) d = _lowerSlit[j1];
                    }
                    int ua = UvOf(r, j, _upper[r][j]), ud = UvOf(r, j + 1, _upper[r][j1]);
                    int ub = UvOf(r + 1, j, _upper[r + 1][j]), uc = UvOf(r + 1, j + 1, _upper[r + 1][j1]);
                    _gridFace[(r, j, 0)] = AddFace(new[] { a, b, c }, new[] { ua, ub, uc });
                    _gridFace[(r, j, 1)] = AddFace(new[] { a, c, d }, new[] { ua, uc, ud });
                }
        }

        private int AddFace(int[] f, int[] uvf)
        {
            _faces.Add(f);
            _uvFaces.Add(uvf);
            return _faces.Count - 1;
        }

        private void BuildEyes()
        {
            var (sv, sf) = Icosphere.Create(_o.EyeballSubdivisions);
            const double radius = 0.0115;
            for (int e = 0; e < 2; e++)
            {
                double phi = e == 0 ? HeadSurface.EyeAzimuth : -HeadSurface.EyeAzimuth; // 0: left (+x), 1: right (-x)
                var s = HeadSurface.Position(HeadSurface.EyeTheta, phi);
                var n = HeadSurface.Normal(HeadSurface.EyeTheta, phi);
                double inset = radius - 0.003;
                var c = (X: s.X - n.X * inset, Y: s.Y - n.Y * inset, Z: s.Z - n.Z * inset);
                _eyeCentre[e] = c;
                int start = _pos.Count;
                double u0 = e == 0 ? 0.55 : 0.3;
                foreach (var p in sv)
                {
                    double u = u0 + 0.1 * (Math.Atan2(p.X, p.Z) / (2 * Math.PI) + 0.5);
                    double vv = 0.06 * Math.Acos(Math.Clamp(p.Y, -1, 1)) / Math.PI + 0.02;
                    int id = AddVertex((c.X + radius * p.X, c.Y + radius * p.Y, c.Z + radius * p.Z),
                        new VertexInfo(e == 0 ? Part.LeftEye : Part.RightEye, HeadSurface.EyeTheta, phi, 0, 0), (u, vv));
                    _eyeVerts[e].Add(id);
                }
                foreach (var f in sf)
                {
                    var tri = new[] { start + f[0], start + f[1], start + f[2] };
                    AddFace(tri, tri.Select(id => _uvOfVertex[id]).ToArray());
                }
            }
        }

        // ---------------------------------------------------------------- landmarks (iBUG 68)

        private (long[] Faces, float[] Bary) Landmarks()
        {
            double pc = CornerPhi;
            var pts = new List<(double T, double P)>();
            for (int i = 0; i <= 16; i++)
            {
                double t = -1 + i / 8.0;
                pts.Add((96 + 37 * Math.Pow(1 - t * t, 0.75), 72 * t));
            }
            double[] rbP = { -40, -33, -25, -17, -10 }, rbT = { 75, 72.5, 71, 71.5, 73 };
            for (int i = 0; i < 5; i++) pts.Add((rbT[i], rbP[i]));
            for (int i = 4; i >= 0; i--) pts.Add((rbT[i], -rbP[i]));
            foreach (var t in new[] { 82, 87.5, 93, 98.5 }) pts.Add((t, 0));
            pts.AddRange(new[] { (103.0, -9.0), (104.0, -4.5), (104.5, 0.0), (104.0, 4.5), (103.0, 9.0) });
            pts.AddRange(new[] { (81.5, -35.0), (79.0, -30.0), (79.0, -24.0), (81.5, -19.0), (83.5, -24.0), (83.5, -30.0) });
            pts.AddRange(new[] { (81.5, 19.0), (79.0, 24.0), (79.0, 30.0), (81.5, 35.0), (83.5, 30.0), (83.5, 24.0) });
            pts.AddRange(new[]
            {
                (115.0, -pc * 0.999), (112.0, -0.6 * pc), (110.5, -0.25 * pc), (110.5, 0.0), (110.5, 0.25 * pc), (112.0, 0.6 * pc),
                (115.0, pc * 0.999), (118.0, 0.6 * pc), (120.0, 0.25 * pc), (120.5, 0.0), (120.0, -0.25 * pc), (118.0, -0.6 * pc),
            });
            pts.AddRange(new[]
            {
                (114.95, -0.92 * pc), (114.9, -0.4 * pc), (114.9, 0.0), (114.9, 0.4 * pc),
                (114.95, 0.92 * pc), (115.1, 0.4 * pc), (115.1, 0.0), (115.1, -0.4 * pc),
            });
            var faces = new long[pts.Count];
            var bary = new float[pts.Count * 3];
            for (int i = 0; i < pts.Count; i++)
            {
                var (f, w) = Embed(pts[i].T, pts[i].P);
                faces[i] = f;
                for (int k = 0; k < 3; k++) bary[3 * i + k] = (float)w[k];
            }
            return (faces, bary);
        }

        /// <summary>Face and barycentric weights of a (theta, phi) point of the grid (bilinear-in-parameter triangles).</summary>
        private (int Face, double[] W) Embed(double theta, double phi)
        {
            int r = Array.FindLastIndex(_thetas, t => t <= theta);
            if (r < 0 || r + 1 >= _headRows) throw new InvalidOperationException("Landmark outside the head rows.");
            int j = Array.FindLastIndex(_phis, p => p <= phi);
            double p0 = _phis[j], p1 = j + 1 < N ? _phis[j + 1] : 180.0;
            double s = (phi - p0) / (p1 - p0), t = (theta - _thetas[r]) / (_thetas[r + 1] - _thetas[r]);
            return t >= s
                ? (_gridFace[(r, j, 0)], new[] { 1 - t, t - s, s })   // (a, b, c)
                : (_gridFace[(r, j, 1)], new[] { 1 - s, t, s - t });  // (a, c, d)
        }

        // ---------------------------------------------------------------- skinning and joints

        private double JawWeight(VertexInfo i)
        {
            if (i.Part is Part.LeftEye or Part.RightEye) return 0;
            double aphi = Math.Abs(i.Phi);
            double lateral = 1 - HeadSurface.SmoothStep(aphi, 48, 78);
            double delta = 1 + 9 * HeadSurface.SmoothStep(aphi, CornerPhi, CornerPhi + 20);
            double s = i.Side switch
            {
                -1 => 0,
                +1 => 1,
                _ => HeadSurface.SmoothStep(i.Theta, HeadSurface.MouthTheta - delta, HeadSurface.MouthTheta + delta),
            };
            double w = lateral * s;
            if (i.Part == Part.Neck) w *= Math.Max(0, 1 - i.NeckT * _o.NeckRows / 2.0);
            return w;
        }

        private float[] Weights()
        {
            int v = _pos.Count;
            var w = new float[v * 5];
            for (int i = 0; i < v; i++)
            {
                var info = _info[i];
                double root = 0, jaw = 0, le = 0, re = 0;
                switch (info.Part)
                {
                    case Part.LeftEye: le = 1; break;
                    case Part.RightEye: re = 1; break;
                    case Part.Neck:
                        root = HeadSurface.SmoothStep(info.NeckT, 1.0 / _o.NeckRows, 1.0);
                        jaw = JawWeight(info) * (1 - root);
                        break;
                    default: jaw = JawWeight(info); break;
                }
                double neck = Math.Max(0, 1 - root - jaw - le - re);
                w[5 * i] = (float)root; w[5 * i + 1] = (float)neck; w[5 * i + 2] = (float)jaw; w[5 * i + 3] = (float)le; w[5 * i + 4] = (float)re;
            }
            return w;
        }

        private float[] Regressor()
        {
            int v = _pos.Count;
            var reg = new float[5 * v];
            void Average(int joint, IReadOnlyList<int> ids, double share)
            {
                foreach (int id in ids) reg[joint * v + id] += (float)(share / ids.Count);
            }
            int rows = _upper.Length;
            Average(0, _upper[rows - 1], 1.0); // root: centre of the neck's bottom ring
            Average(1, _upper[_headRows - 1], 0.5); // neck: between the top of the neck and the ears
            Average(1, new[] { Nearest(100, 90), Nearest(100, -90) }, 0.5);
            Average(2, new[] { Nearest(102.5, 72), Nearest(102.5, -72) }, 1.0); // jaw hinge in front of the ears
            Average(3, _eyeVerts[0], 1.0);
            Average(4, _eyeVerts[1], 1.0);
            return reg;
        }

        private int Nearest(double theta, double phi)
        {
            int r = Enumerable.Range(0, _headRows).OrderBy(k => Math.Abs(_thetas[k] - theta)).First();
            int j = Enumerable.Range(0, N).OrderBy(k => Math.Abs(_phis[k] - phi)).First();
            return _upper[r][j];
        }

        // ---------------------------------------------------------------- blendshapes

        private float[] Directions(int count, Func<int, VertexInfo, (double X, double Y, double Z), (double X, double Y, double Z)> field)
        {
            int v = _pos.Count;
            var dirs = new float[v * 3 * count];
            for (int i = 0; i < v; i++)
            {
                var info = _info[i];
                // Eyeballs move rigidly with the field at their centre so they keep their shape.
                var at = info.Part switch { Part.LeftEye => _eyeCentre[0], Part.RightEye => _eyeCentre[1], _ => _pos[i] };
                for (int k = 0; k < count; k++)
                {
                    var d = field(k, info, at);
                    dirs[(i * 3 + 0) * count + k] = (float)d.X;
                    dirs[(i * 3 + 1) * count + k] = (float)d.Y;
                    dirs[(i * 3 + 2) * count + k] = (float)d.Z;
                }
            }
            return dirs;
        }

        private static (double X, double Y, double Z) Scale((double X, double Y, double Z) n, double s) => (n.X * s, n.Y * s, n.Z * s);

        private static (double X, double Y, double Z) ShapeField(int k, VertexInfo i, (double X, double Y, double Z) p)
        {
            var c = HeadSurface.Centre;
            double t = i.Theta, ph = i.Phi;
            var n = HeadSurface.Normal(Math.Min(t, 140), ph);
            double G(double t0, double p0, double st, double sp) => HeadSurface.Gauss(t, ph, t0, p0, st, sp);
            return k switch
            {
                0 => ((p.X - c.X) * 0.03, (p.Y - c.Y) * 0.03, (p.Z - c.Z) * 0.03),                 // overall size
                1 => ((p.X - c.X) * 0.04, 0, 0),                                                     // width
                2 => (0, (p.Y - c.Y) * 0.04, 0),                                                     // height
                3 => (0, 0, (p.Z - c.Z) * 0.04),                                                     // depth
                4 => Scale(n, 0.004 * G(96, 0, 7, 7)),                                                // nose size
                5 => ((p.X - c.X) * 0.06 * HeadSurface.SmoothStep(t, 105, 125) * (1 - HeadSurface.SmoothStep(Math.Abs(ph), 70, 100)), 0, 0), // jaw width
                6 => (0, -0.006 * G(130, 0, 8, 15), 0.003 * G(130, 0, 8, 15)),                       // chin length
                7 => Scale(n, 0.004 * G(60, 0, 12, 35)),                                              // forehead
                8 => Scale(n, 0.004 * (G(95, 40, 8, 12) + G(95, -40, 8, 12))),                       // cheeks
                _ => (Math.Sign(ph) * 0.003 * (G(81, 27, 8, 9) + G(81, -27, 8, 9)), 0, 0),           // eye spacing
            };
        }

        private (double X, double Y, double Z) ExpressionField(int k, VertexInfo i, (double X, double Y, double Z) p)
        {
            if (i.Part is Part.LeftEye or Part.RightEye) return (0, 0, 0);
            double t = i.Theta, ph = i.Phi, pc = CornerPhi, m = HeadSurface.MouthTheta;
            double G(double t0, double p0, double st, double sp) => HeadSurface.Gauss(t, ph, t0, p0, st, sp);
            double corners = G(m, pc, 6, 8) + G(m, -pc, 6, 8);
            double sign = Math.Sign(ph);
            bool upperSide = t < m || i.Side == -1;
            bool lowerSide = t > m || i.Side == +1;
            var n = HeadSurface.Normal(Math.Min(t, 140), ph);
            return k switch
            {
                0 => (sign * 0.003 * corners, 0.004 * corners, -0.003 * corners),                    // smile
                1 => (sign * 0.001 * corners, -0.004 * corners, 0),                                  // frown
                2 => (-(p.X - HeadSurface.Centre.X) * 0.2 * G(m, 0, 6, 14), 0, 0.005 * G(m, 0, 6, 14)), // pucker
                3 => (0, 0.004 * (G(73, 24, 6, 14) + G(73, -24, 6, 14)), 0),                        // brow raise
                4 => (-sign * 0.002 * (G(74, 8, 5, 6) + G(74, -8, 5, 6)), -0.002 * (G(74, 8, 5, 6) + G(74, -8, 5, 6)), 0), // brow furrow
                5 => Scale(n, 0.006 * (G(108, 32, 8, 10) + G(108, -32, 8, 10))),                    // cheek puff
                6 => (0, upperSide ? 0.003 * G(111, 0, 4, 14) : 0, 0),                              // upper lip raise
                7 => (0, lowerSide ? -0.003 * G(120, 0, 4, 14) : 0, lowerSide ? 0.001 * G(120, 0, 4, 14) : 0), // lower lip down
                8 => (0.004 * G(m, 0, 7, 18), 0, 0),                                                 // mouth sideways
                _ => (0, 0.0015 * (G(83.5, 27, 3, 8) + G(83.5, -27, 3, 8)), 0),                      // squint
            };
        }

        private float[] PoseCorrectives()
        {
            // Jaw joint (index 2) features 9..17 are (R - I) entries; a rotation a about x gives -sin a at (1,2) (feature 14)
            // and +sin a at (2,1) (feature 16). Opening the jaw pulls the cheeks in slightly: offset = sin(a) * D.
            int v = _pos.Count;
            var pd = new float[36 * v * 3];
            for (int i = 0; i < v; i++)
            {
                var info = _info[i];
                if (info.Part != Part.Head) continue;
                // Cheeks around the mouth only (below the nose), so the skull is untouched by jaw correctives.
                double g = (HeadSurface.Gauss(info.Theta, info.Phi, 112, 40, 8, 12) + HeadSurface.Gauss(info.Theta, info.Phi, 112, -40, 8, 12))
                           * HeadSurface.SmoothStep(info.Theta, 100, 108);
                if (g < 1e-6) continue;
                var n = HeadSurface.Normal(info.Theta, info.Phi);
                var d = Scale(n, -0.004 * g);
                for (int c = 0; c < 3; c++)
                {
                    double dc = c == 0 ? d.X : c == 1 ? d.Y : d.Z;
                    pd[14 * v * 3 + i * 3 + c] = (float)(-dc / 2);
                    pd[16 * v * 3 + i * 3 + c] = (float)(dc / 2);
                }
            }
            return pd;
        }

        // ---------------------------------------------------------------- masks

        private Dictionary<string, Tensor> Masks()
        {
            var w = Weights();
            var pd = PoseCorrectives();
            bool HasCorrective(int i)
            {
                int v = _pos.Count;
                for (int k = 0; k < 36; k++)
                    for (int c = 0; c < 3; c++)
                        if (pd[(long)k * v * 3 + i * 3 + c] != 0) return true;
                return false;
            }
            var skull = new List<long>(); var jaw = new List<long>(); var face = new List<long>(); var neck = new List<long>();
            for (int i = 0; i < _pos.Count; i++)
            {
                var info = _info[i];
                if (info.Part == Part.Neck) { neck.Add(i); continue; }
                if (info.Part != Part.Head) continue;
                if (w[5 * i + 2] > 0.5) jaw.Add(i);
                if (w[5 * i + 1] >= 0.999f && info.Theta < 100 && !HasCorrective(i)) skull.Add(i);
                if (Math.Abs(info.Phi) < 60 && info.Theta >= 60) face.Add(i);
            }
            var ringUpper = new List<long>(); var ringLower = new List<long>();
            // Lip rings one row above and below the slit (FLAME's "lip_outside_ring" regions play this role for teeth placement).
            for (int j = N / 2 - Half; j <= N / 2 + Half; j++)
            {
                ringUpper.Add(_upper[_mouthRow - 1][j]);
                ringLower.Add(_upper[_mouthRow + 1][j]);
            }
            Tensor T(IEnumerable<long> ids) => torch.tensor(ids.ToArray(), ScalarType.Int64);
            return new Dictionary<string, Tensor>(StringComparer.Ordinal)
            {
                ["skull"] = T(skull), ["jaw"] = T(jaw), ["face"] = T(face), ["neck"] = T(neck),
                ["left_eyeball"] = T(_eyeVerts[0].Select(i => (long)i)), ["right_eyeball"] = T(_eyeVerts[1].Select(i => (long)i)),
                ["eyeballs"] = T(_eyeVerts[0].Concat(_eyeVerts[1]).Select(i => (long)i)),
                ["lip_ring_upper"] = T(ringUpper), ["lip_ring_lower"] = T(ringLower),
            };
        }
    }
}

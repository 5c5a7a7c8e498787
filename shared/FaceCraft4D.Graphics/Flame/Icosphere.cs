namespace FaceCraft4D.Graphics.Flame;

/// <summary>Unit icosphere (subdivided icosahedron), triangles counter-clockwise seen from outside.</summary>
internal static class Icosphere
{
    public static (List<(double X, double Y, double Z)> Vertices, List<int[]> Faces) Create(int subdivisions)
    {
        double t = (1 + Math.Sqrt(5)) / 2;
        var v = new List<(double X, double Y, double Z)>
        {
            (-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t),
            (0, -1, -t), (0, 1, -t), (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1),
        };
        for (int i = 0; i < v.Count; i++) v[i] = Normalize(v[i]);
        var f = new List<int[]>
        {
            new[] { 0, 11, 5 }, new[] { 0, 5, 1 }, new[] { 0, 1, 7 }, new[] { 0, 7, 10 }, new[] { 0, 10, 11 },
            new[] { 1, 5, 9 }, new[] { 5, 11, 4 }, new[] { 11, 10, 2 }, new[] { 10, 7, 6 }, new[] { 7, 1, 8 },
            new[] { 3, 9, 4 }, new[] { 3, 4, 2 }, new[] { 3, 2, 6 }, new[] { 3, 6, 8 }, new[] { 3, 8, 9 },
            new[] { 4, 9, 5 }, new[] { 2, 4, 11 }, new[] { 6, 2, 10 }, new[] { 8, 6, 7 }, new[] { 9, 8, 1 },
        };
        for (int s = 0; s < subdivisions; s++)
        {
            var cache = new Dictionary<(int, int), int>();
            int Mid(int a, int b)
            {
                var key = a < b ? (a, b) : (b, a);
                if (cache.TryGetValue(key, out int m)) return m;
                var p = v[a]; var q = v[b];
                v.Add(Normalize(((p.X + q.X) / 2, (p.Y + q.Y) / 2, (p.Z + q.Z) / 2)));
                cache[key] = v.Count - 1;
                return v.Count - 1;
            }
            var next = new List<int[]>();
            foreach (var tri in f)
            {
                int a = Mid(tri[0], tri[1]), b = Mid(tri[1], tri[2]), c = Mid(tri[2], tri[0]);
                next.Add(new[] { tri[0], a, c });
                next.Add(new[] { tri[1], b, a });
                next.Add(new[] { tri[2], c, b });
                next.Add(new[] { a, b, c });
            }
            f = next;
        }
        return (v, f);
    }

    private static (double X, double Y, double Z) Normalize((double X, double Y, double Z) p)
    {
        double l = Math.Sqrt(p.X * p.X + p.Y * p.Y + p.Z * p.Z);
        return (p.X / l, p.Y / l, p.Z / l);
    }
}

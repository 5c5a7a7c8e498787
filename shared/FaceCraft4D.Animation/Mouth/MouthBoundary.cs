using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.ShapePrior.Template;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Mouth;

/// <summary>
/// Finds the mouth opening of a FLAME-format head: the boundary loop of the head surface (edges used by one triangle;
/// the appended teeth are ignored) whose centre is nearest the inner-lip landmarks (iBUG 60-67, or the outer lips when
/// the model has no inner lip points). FLAME's open lips and the built-in head's mouth slit are such loops; the neck
/// opening and FLAME's eye holes are other loops, farther away.
/// </summary>
public static class MouthBoundary
{
    /// <summary>The loop's vertex ids in order around the opening, or null when the surface has no open mouth.</summary>
    /// <param name="model">The head model.</param>
    /// <param name="maxDistance">Largest distance (metres) between the loop centre and the lip landmarks.</param>
    public static int[]? Find(FlameModelData model, double maxDistance = 0.025)
    {
        ArgumentNullException.ThrowIfNull(model);
        int faceCount = model.TeethFaceStart ?? model.FaceCount;
        using var scope = torch.NewDisposeScope();
        var faces = model.Faces.narrow(0, 0, faceCount).to(ScalarType.Int32).contiguous().data<int>().ToArray();
        var template = model.VTemplate.to(ScalarType.Float32).contiguous().data<float>().ToArray();

        var uses = new Dictionary<(int, int), int>();
        for (int t = 0; t < faceCount; t++)
            for (int k = 0; k < 3; k++)
            {
                int a = faces[3 * t + k], b = faces[3 * t + (k + 1) % 3];
                var key = a < b ? (a, b) : (b, a);
                uses[key] = uses.GetValueOrDefault(key) + 1;
            }
        // Directed boundary edges keep the orientation of their one face, so loops chain head to tail.
        var next = new Dictionary<int, List<int>>();
        for (int t = 0; t < faceCount; t++)
            for (int k = 0; k < 3; k++)
            {
                int a = faces[3 * t + k], b = faces[3 * t + (k + 1) % 3];
                if (uses[a < b ? (a, b) : (b, a)] != 1) continue;
                if (!next.TryGetValue(a, out var list)) next[a] = list = [];
                list.Add(b);
            }
        var loops = new List<int[]>();
        var used = new HashSet<(int, int)>();
        foreach (var start in next.Keys.Order())
        {
            foreach (var first in next[start])
            {
                if (used.Contains((start, first))) continue;
                var loop = new List<int> { start };
                int from = start, to = first;
                while (used.Add((from, to)))
                {
                    if (to == start) break;
                    loop.Add(to);
                    if (!next.TryGetValue(to, out var options)) { loop.Clear(); break; }
                    int chosen = options.FirstOrDefault(o => !used.Contains((to, o)), -1);
                    if (chosen < 0) { loop.Clear(); break; }
                    from = to;
                    to = chosen;
                }
                if (loop.Count >= 6) loops.Add(loop.ToArray());
            }
        }
        if (loops.Count == 0) return null;

        var lips = LipCentre(model, template);
        int[]? best = null;
        double bestDistance = double.MaxValue;
        foreach (var loop in loops)
        {
            double x = 0, y = 0, z = 0;
            foreach (var v in loop) { x += template[3 * v]; y += template[3 * v + 1]; z += template[3 * v + 2]; }
            x /= loop.Length; y /= loop.Length; z /= loop.Length;
            double d = Math.Sqrt((x - lips.X) * (x - lips.X) + (y - lips.Y) * (y - lips.Y) + (z - lips.Z) * (z - lips.Z));
            if (d < bestDistance) { bestDistance = d; best = loop; }
        }
        return bestDistance <= maxDistance ? best : null;
    }

    /// <summary>Centre of the model's inner-lip landmarks (outer lips if needed) on the template.</summary>
    private static (double X, double Y, double Z) LipCentre(FlameModelData model, float[] template)
    {
        var ibug = LandmarkCorrespondence.ForModel(model.LandmarkCount).IbugIndices;
        var lmkFaces = model.LandmarkFaces.to(ScalarType.Int64).contiguous().data<long>().ToArray();
        var bary = model.LandmarkBarycentrics.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var faces = model.Faces.to(ScalarType.Int64).contiguous().data<long>().ToArray();
        double x = 0, y = 0, z = 0;
        int n = 0;
        for (int m = 0; m < ibug.Count; m++)
        {
            if (ibug[m] < 48) continue;
            for (int k = 0; k < 3; k++)
            {
                long v = faces[3 * lmkFaces[m] + k];
                float w = bary[3 * m + k];
                x += w * template[3 * v]; y += w * template[3 * v + 1]; z += w * template[3 * v + 2];
            }
            n++;
        }
        if (n == 0) throw new InvalidDataException("The head model has no lip landmarks.");
        return (x / n, y / n, z / n);
    }
}

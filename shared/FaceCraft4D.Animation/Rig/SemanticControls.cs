namespace FaceCraft4D.Animation.Rig;

/// <summary>
/// The semantic controls clip files may use (documented in shared/FaceCraft4D.Stages/README.md). Landmark numbers are
/// iBUG-68 (0-16 jaw contour, 17-21 right brow, 22-26 left brow, 27-35 nose, 36-41 right eye, 42-47 left eye,
/// 48-59 outer lips, 60-67 inner lips; "right" = the subject's right, at -x). Displacements in millimetres.
/// </summary>
public static class SemanticControls
{
    /// <summary>Every control, by name.</summary>
    public static IReadOnlyDictionary<string, SemanticControl> All { get; } = Build().ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>The control of that name, or a clear error listing the valid names.</summary>
    public static SemanticControl Get(string name) =>
        All.TryGetValue(name, out var control)
            ? control
            : throw new ArgumentException($"'{name}' is not a semantic control; valid: {string.Join(", ", All.Keys.Order(StringComparer.Ordinal))}.", nameof(name));

    private static IEnumerable<SemanticControl> Build()
    {
        // Mirror helper: the subject's right side (landmark a, at -x) and left side (landmark b, at +x).
        static IEnumerable<KeyValuePair<int, (float, float, float)>> Pair(int right, int left, float outward, float y, float z) =>
            [new(right, (-outward, y, z)), new(left, (outward, y, z))];
        static IEnumerable<KeyValuePair<int, (float, float, float)>> Same(float x, float y, float z, params int[] ids) =>
            ids.Select(i => new KeyValuePair<int, (float, float, float)>(i, (x, y, z)));
        static Dictionary<int, (float, float, float)> Targets(params IEnumerable<KeyValuePair<int, (float, float, float)>>[] parts)
        {
            var d = new Dictionary<int, (float, float, float)>();
            foreach (var kv in parts.SelectMany(p => p)) d[kv.Key] = kv.Value;
            return d;
        }

        yield return new("smile", "mouth corners up and outward, lips stretched, lower lids raised (cheek raise)", Targets(
            Pair(48, 54, 3.0f, 3.5f, -1.5f), Pair(60, 64, 2.5f, 3.0f, -1.0f), Pair(49, 53, 1.5f, 1.5f, -0.5f),
            Pair(59, 55, 1.5f, 1.5f, -0.5f), Pair(61, 63, 1.0f, 1.0f, 0f), Pair(67, 65, 1.0f, 1.0f, 0f),
            Pair(41, 46, 0f, 1.0f, 0f), Pair(40, 47, 0f, 1.0f, 0f)));
        yield return new("frown", "mouth corners down, chin raised against the lower lip", Targets(
            Pair(48, 54, -0.5f, -3.0f, 0f), Pair(60, 64, -0.5f, -2.5f, 0f), Pair(59, 55, 0f, -1.0f, 0f),
            Same(0f, 1.0f, 0.5f, 56, 57, 58)));
        yield return new("browRaise", "both brows raised, upper lids lifted", Targets(
            Same(0f, 5.0f, 0.5f, 18, 19, 20, 21, 22, 23, 24, 25), Same(0f, 3.5f, 0f, 17, 26), Same(0f, 1.0f, 0f, 37, 38, 43, 44)));
        yield return new("browFurrow", "inner brows pulled down and together", Targets(
            Pair(21, 22, -2.0f, -2.5f, 0f), Pair(20, 23, -1.5f, -2.0f, 0f), Pair(19, 24, -1.0f, -1.5f, 0f), Same(0f, -1.0f, 0f, 17, 26)));
        yield return new("blink", "upper lids down onto the lower lids (eyes closed)", Targets(
            Same(0f, -4.0f, 0f, 37, 38, 43, 44), Same(0f, -0.5f, 0f, 36, 39, 42, 45), Same(0f, 0.8f, 0f, 40, 41, 46, 47)));
        yield return new("eyesWide", "upper lids up, lower lids down (eyes wide open)", Targets(
            Same(0f, 2.0f, 0f, 37, 38, 43, 44), Same(0f, -0.5f, 0f, 40, 41, 46, 47), Same(0f, 1.0f, 0f, 19, 20, 23, 24)));
        yield return new("squint", "lower lids raised, upper lids lowered a little", Targets(
            Same(0f, 2.0f, 0f, 40, 41, 46, 47), Same(0f, -1.5f, 0f, 37, 38, 43, 44)));
        yield return new("pout", "lips pushed forward and together (pucker)", Targets(
            Pair(48, 54, -5.0f, 0f, 3.0f), Pair(60, 64, -4.0f, 0f, 2.5f), Pair(49, 53, -3.0f, 0.3f, 4.0f), Pair(59, 55, -3.0f, -0.3f, 4.0f),
            Pair(50, 52, -1.5f, 0.5f, 5.0f), Pair(58, 56, -1.5f, -0.5f, 5.0f), Same(0f, 0.5f, 5.0f, 51), Same(0f, -0.5f, 5.0f, 57),
            Pair(61, 63, -1.5f, 0f, 4.0f), Pair(67, 65, -1.5f, 0f, 4.0f), Same(0f, 0f, 4.0f, 62, 66)));
        yield return new("upperLipRaise", "upper lip raised (teeth shown)", Targets(
            Same(0f, 3.0f, 0.5f, 50, 51, 52), Same(0f, 2.5f, 0f, 61, 62, 63), Pair(49, 53, 0f, 1.5f, 0f)));
        yield return new("lowerLipDown", "lower lip pulled down", Targets(
            Same(0f, -3.5f, 0.5f, 56, 57, 58), Same(0f, -3.0f, 0f, 65, 66, 67), Pair(59, 55, 0f, -1.5f, 0f)));
        yield return new("mouthLeft", "the whole mouth shifted toward the subject's left (negative: right)", Targets(
            Same(4.0f, 0f, 0f, Enumerable.Range(48, 20).ToArray())));
        yield return new("jawOpen", "jaw opened by 0.35 rad (about 20 degrees)", Jaw: [0.35f, 0f, 0f]);
        yield return new("jawLeft", "jaw moved sideways toward the subject's left by 0.08 rad", Jaw: [0f, 0.08f, 0f]);
        yield return new("headNod", "head nodded down by 0.25 rad (negative: up)", Neck: [0.25f, 0f, 0f]);
        yield return new("headTurn", "head turned toward the subject's left by 0.3 rad", Neck: [0f, 0.3f, 0f]);
        yield return new("headTilt", "head tilted (rolled) by 0.15 rad", Neck: [0f, 0f, 0.15f]);
        yield return new("gazeLeft", "both eyes turned toward the subject's left by 0.3 rad", Eyes: [0f, 0.3f, 0f, 0f, 0.3f, 0f]);
        yield return new("gazeDown", "both eyes turned down by 0.25 rad", Eyes: [0.25f, 0f, 0f, 0.25f, 0f, 0f]);
    }
}

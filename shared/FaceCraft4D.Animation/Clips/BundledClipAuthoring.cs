namespace FaceCraft4D.Animation.Clips;

/// <summary>
/// How the project authored its eight bundled driving clips (infra/clips/*.json): keyframed semantic controls
/// (<see cref="Rig.SemanticControls"/>) sampled at 25 fps. NerSemble cannot be downloaded here; these stand in for its
/// expression sequences (smile, open mouth, talking, brow raise, blinks, surprise, pout, a neutral-to-extreme sweep).
/// Every clip starts and ends neutral. A test checks that the committed files equal this code's output.
/// </summary>
public static class BundledClipAuthoring
{
    /// <summary>Frames per second of the bundled clips.</summary>
    public const double Fps = 25;

    /// <summary>The eight clips with their file names, in index order.</summary>
    public static IReadOnlyList<(string FileName, DrivingClip Clip)> Create() =>
    [
        ("01-smile.json", Clip("smile", "Neutral, a broad smile held for about a second, back to neutral.", 48, new()
        {
            ["smile"] = KeyframeCurve.Pulse(0.15, 0.5, 0.7, 0.5, 1.0),
            ["squint"] = KeyframeCurve.Pulse(0.35, 0.4, 0.6, 0.5, 0.3),
        })),
        ("02-open-mouth.json", Clip("open-mouth", "The jaw opens wide, holds, and closes; the lower lip follows.", 48, new()
        {
            ["jawOpen"] = KeyframeCurve.Pulse(0.15, 0.55, 0.6, 0.55, 1.0),
            ["lowerLipDown"] = KeyframeCurve.Pulse(0.25, 0.45, 0.6, 0.5, 0.5),
            ["eyesWide"] = KeyframeCurve.Pulse(0.3, 0.4, 0.5, 0.5, 0.3),
        })),
        ("03-talk.json", Clip("talk", "Talk-like motion: syllables of varying jaw opening with alternating rounded and spread lips.", 64, new()
        {
            ["jawOpen"] = new KeyframeCurve((0, 0), (0.12, 0), (0.24, 0.55), (0.36, 0.1), (0.5, 0.7), (0.62, 0.15), (0.78, 0.4),
                (0.9, 0.05), (1.06, 0.8), (1.2, 0.2), (1.34, 0.5), (1.46, 0.1), (1.62, 0.6), (1.8, 0.1), (2.0, 0), (2.52, 0)),
            ["pout"] = new KeyframeCurve((0, 0), (0.3, 0), (0.45, 0.6), (0.65, 0), (1.1, 0), (1.3, 0.7), (1.5, 0), (2.52, 0)),
            ["smile"] = new KeyframeCurve((0, 0), (0.7, 0), (0.85, 0.4), (1.0, 0), (1.55, 0), (1.7, 0.35), (1.9, 0), (2.52, 0)),
            ["upperLipRaise"] = new KeyframeCurve((0, 0), (0.2, 0), (0.3, 0.4), (0.45, 0), (1.0, 0), (1.1, 0.5), (1.25, 0), (2.52, 0)),
            ["browRaise"] = KeyframeCurve.Pulse(0.9, 0.2, 0.3, 0.3, 0.3),
            ["headNod"] = new KeyframeCurve((0, 0), (0.5, 0.08), (1.0, -0.04), (1.5, 0.06), (2.2, 0)),
        })),
        ("04-brow-raise.json", Clip("brow-raise", "The brows rise twice; the second time higher, with wide eyes.", 48, new()
        {
            ["browRaise"] = new KeyframeCurve((0, 0), (0.12, 0), (0.4, 0.7), (0.6, 0.7), (0.85, 0), (1.0, 0), (1.3, 1.0), (1.55, 1.0), (1.88, 0)),
            ["eyesWide"] = KeyframeCurve.Pulse(1.0, 0.3, 0.25, 0.33, 0.6),
        })),
        ("05-blink.json", Clip("blink", "Two blinks with a glance to the side between them.", 48, new()
        {
            ["blink"] = new KeyframeCurve((0, 0), (0.2, 0), (0.32, 1.0), (0.4, 1.0), (0.56, 0), (1.1, 0), (1.22, 1.0), (1.3, 1.0), (1.46, 0)),
            ["gazeLeft"] = new KeyframeCurve((0, 0), (0.6, 0), (0.75, 0.6), (0.95, 0.6), (1.08, 0)),
            ["squint"] = KeyframeCurve.Pulse(1.45, 0.12, 0.08, 0.2, 0.3),
            // Eyes dip down during a blink and the brows follow the lids a little (orbicularis oculi).
            ["gazeDown"] = new KeyframeCurve((0, 0), (0.2, 0), (0.32, 0.5), (0.4, 0.5), (0.56, 0), (1.1, 0), (1.22, 0.5), (1.3, 0.5), (1.46, 0)),
            ["browFurrow"] = new KeyframeCurve((0, 0), (0.2, 0), (0.32, 0.3), (0.4, 0.3), (0.56, 0), (1.1, 0), (1.22, 0.3), (1.3, 0.3), (1.46, 0)),
        })),
        ("06-surprise.json", Clip("surprise", "Surprise: brows up, eyes wide, jaw dropped, head pulled back slightly.", 48, new()
        {
            ["browRaise"] = KeyframeCurve.Pulse(0.15, 0.3, 0.8, 0.5, 1.0),
            ["eyesWide"] = KeyframeCurve.Pulse(0.15, 0.3, 0.8, 0.5, 1.0),
            ["jawOpen"] = KeyframeCurve.Pulse(0.2, 0.35, 0.75, 0.5, 0.75),
            ["pout"] = KeyframeCurve.Pulse(0.2, 0.35, 0.75, 0.5, 0.25),
            ["headNod"] = KeyframeCurve.Pulse(0.2, 0.4, 0.6, 0.6, -0.3),
        })),
        ("07-pout.json", Clip("pout", "Lips pushed forward, swayed to one side and the other, released.", 48, new()
        {
            ["pout"] = KeyframeCurve.Pulse(0.12, 0.4, 1.0, 0.35, 1.0),
            ["mouthLeft"] = new KeyframeCurve((0, 0), (0.55, 0), (0.8, 0.6), (1.05, -0.6), (1.3, 0), (1.88, 0)),
            ["browFurrow"] = KeyframeCurve.Pulse(0.3, 0.3, 0.8, 0.4, 0.4),
        })),
        ("08-sweep.json", Clip("sweep", "Neutral-to-extreme sweep: every control in turn to its extreme and back, then a head turn.", 96, Sweep())),
    ];

    private static Dictionary<string, KeyframeCurve> Sweep()
    {
        string[] order = ["smile", "frown", "jawOpen", "browRaise", "browFurrow", "blink", "eyesWide", "pout", "upperLipRaise", "lowerLipDown", "mouthLeft"];
        var curves = new Dictionary<string, KeyframeCurve>(StringComparer.Ordinal);
        double slot = 0.3;
        for (int i = 0; i < order.Length; i++)
            curves[order[i]] = KeyframeCurve.Pulse(0.08 + i * slot, 0.13, 0.04, 0.13, 1.0);
        double end = 0.08 + order.Length * slot;
        curves["headTurn"] = new KeyframeCurve((0, 0), (end, 0), (end + 0.12, 0.6), (end + 0.24, -0.6), (end + 0.36, 0));
        curves["headNod"] = KeyframeCurve.Pulse(end, 0.15, 0.05, 0.15, 0.4);
        return curves;
    }

    private static DrivingClip Clip(string name, string description, int frames, Dictionary<string, KeyframeCurve> curves)
    {
        var list = new ClipFrame[frames];
        for (int i = 0; i < frames; i++)
        {
            double t = i / Fps;
            var controls = curves.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(kv => kv.Key, kv => (float)Math.Round(kv.Value.At(t), 4), StringComparer.Ordinal);
            list[i] = new ClipFrame(controls);
        }
        return new DrivingClip(name, description, Fps, list);
    }
}

namespace FaceCraft4D.Metrics.Protocol;

/// <summary>
/// The views an avatar is evaluated on: the reference view (the photo's camera), the five static views, and the
/// driven clips rendered from several static views. Built-in clips (when none are supplied):
/// <c>jaw-open</c> — the jaw opens and closes, angle = max·sin(π·f/(F−1)) for f = 0..F−1;
/// <c>expression-sweep</c> — components 0..K−1 of the expression code pulsed to +a and −a in turn
/// (frame f visits component ⌊f·2K/F⌋/2 with sign alternating), all else neutral.
/// </summary>
public static class EvaluationProtocol
{
    /// <summary>The full ordered view list.</summary>
    public static IReadOnlyList<EvaluationView> Build(EvaluationProtocolOptions options, CameraSpec referenceCamera, IReadOnlyList<AnimationClip>? clips = null)
    {
        var views = new List<EvaluationView> { new("reference", ViewKind.Reference, referenceCamera with { ViewName = "reference", ImageSize = options.ImageSize }) };
        var statics = new Dictionary<string, StaticViewOptions>(StringComparer.Ordinal);
        foreach (var v in options.StaticViews)
        {
            if (!statics.TryAdd(v.Name, v)) throw new ArgumentException($"static view '{v.Name}' is defined twice");
            views.Add(new EvaluationView(v.Name, ViewKind.Static, new CameraSpec(v.Name, v.YawDegrees, v.PitchDegrees, options.ImageSize)));
        }
        foreach (var clip in clips ?? DefaultClips(options))
        {
            foreach (var viewName in options.AnimationViews)
            {
                if (!statics.TryGetValue(viewName, out var v)) throw new ArgumentException($"animation view '{viewName}' is not a static view");
                for (int f = 0; f < clip.Frames.Count; f++)
                {
                    var name = $"anim:{clip.Name}:{viewName}:{f:D3}";
                    views.Add(new EvaluationView(name, ViewKind.Animation,
                        new CameraSpec(name, v.YawDegrees, v.PitchDegrees, options.ImageSize, clip.Frames[f]), clip.Name, f));
                }
            }
        }
        return views;
    }

    /// <summary>The two built-in clips (see type remarks).</summary>
    public static IReadOnlyList<AnimationClip> DefaultClips(EvaluationProtocolOptions options)
    {
        int n = options.FramesPerClip;
        if (n < 2) throw new ArgumentException("FramesPerClip must be at least 2");
        var jaw = new List<FlameExpression>(n);
        for (int f = 0; f < n; f++)
        {
            float angle = (float)(options.MaxJawOpenRadians * Math.Sin(Math.PI * f / (n - 1)));
            jaw.Add(new FlameExpression($"jaw-open:{f:D3}", [], [angle, 0f, 0f]));
        }
        var sweep = new List<FlameExpression>(n);
        int k = Math.Max(1, Math.Min(options.SweepComponents, options.ExpressionCount));
        for (int f = 0; f < n; f++)
        {
            int slot = f * 2 * k / n;
            var code = new float[options.ExpressionCount];
            code[slot / 2] = (float)(slot % 2 == 0 ? options.ExpressionAmplitude : -options.ExpressionAmplitude);
            sweep.Add(new FlameExpression($"expression-sweep:{f:D3}", code, []));
        }
        return [new AnimationClip("jaw-open", jaw), new AnimationClip("expression-sweep", sweep)];
    }
}

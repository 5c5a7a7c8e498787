using FaceCraft4D.Coin;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Training;

namespace FaceCraft4D.Stages.Training;

/// <summary>Everything a training stage prepared before the common training loop (owned by the handler, disposed after).</summary>
/// <param name="Head">The run's head.</param>
/// <param name="Flame">The head model on the training device.</param>
/// <param name="Avatar">The avatar to train.</param>
/// <param name="Appearance">The COIN appearance to train; null for plain training.</param>
/// <param name="Views">Training views (static first, then video frames).</param>
/// <param name="StaticViewCount">How many of <paramref name="Views"/> are the static views.</param>
/// <param name="Options">Trainer settings.</param>
/// <param name="Data">What the views are, for the report.</param>
/// <param name="Notes">Remarks for the result.</param>
public sealed record PreparedTraining(
    TrainingHead Head,
    FlameModel Flame,
    FlameGaussianAvatar Avatar,
    CoinAppearance? Appearance,
    IReadOnlyList<TrainingView> Views,
    int StaticViewCount,
    TrainingOptions Options,
    TrainingDataReport Data,
    IReadOnlyList<string> Notes) : IDisposable
{
    /// <summary>The views the report and preview are computed on: the static views, or the first eight when there are none.</summary>
    public int EvaluationViewCount => StaticViewCount > 0 ? StaticViewCount : Math.Min(Views.Count, 8);

    /// <inheritdoc />
    public void Dispose()
    {
        Avatar.Dispose();
        Appearance?.Dispose();
        foreach (var v in Views)
        {
            v.Image.Dispose();
            v.Mask?.Dispose();
        }
        Flame.Dispose();
        Head.Dispose();
    }
}

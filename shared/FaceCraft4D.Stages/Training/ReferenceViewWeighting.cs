using FaceCraft4D.Graphics.Training;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// Gives the reference portrait (orbit view 0, the only real photograph among the training images) a fixed share of the
/// training iterations: the trainer draws views uniformly (shuffled epochs), so the view is repeated in the list until
/// it makes up at least <c>share</c> of it. Without this the preview preset showed the photo about 25 times in
/// TrainStatic (1 of 8 views) and about 5 times in TrainCoin (1 of 44 views and video frames), too few to reproduce it.
/// The repeats share the view's image tensor and embedding row; they are appended after every other view, so the first
/// <c>StaticViewCount</c> views (reports, previews) are unchanged.
/// </summary>
public static class ReferenceViewWeighting
{
    /// <summary>
    /// Appends copies of the first view when it is orbit view 0 (the static views come first) until it is at least <paramref name="share"/> of the
    /// list; returns how many copies were added. <paramref name="share"/> in [0, 1): 0 adds none.
    /// </summary>
    public static int Apply(List<TrainingView> views, double share)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (share is < 0 or >= 1 || double.IsNaN(share)) throw new ArgumentOutOfRangeException(nameof(share), "The reference share must be in [0, 1).");
        if (views.Count == 0 || views[0].Index != 0 || share == 0) return 0;
        var reference = views[0];
        int others = views.Count - 1;
        // k copies in total: k / (others + k) >= share  <=>  k >= share * others / (1 - share).
        int total = Math.Max(1, (int)Math.Ceiling(share * others / (1 - share) - 1e-9));
        for (int i = 1; i < total; i++) views.Add(reference);
        return total - 1;
    }
}

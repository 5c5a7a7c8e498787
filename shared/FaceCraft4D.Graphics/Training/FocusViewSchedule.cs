namespace FaceCraft4D.Graphics.Training;

/// <summary>
/// A final phase of a training run that favours one view: after <see cref="FromIteration"/>, the trainer draws the view at
/// <see cref="ViewPosition"/> of its list outright on <see cref="Share"/> of the iterations (evenly spaced), and its shuffled
/// epochs on the rest. Which iterations go to the view depends on the iteration number only (no random draw), so a resumed
/// run makes the same choices; the shuffled order simply pauses on those iterations.
/// </summary>
/// <param name="ViewPosition">Position of the favoured view in the trainer's view list.</param>
/// <param name="FromIteration">The phase holds the iterations after this one (1-based iterations).</param>
/// <param name="Share">Share of the phase's iterations given to the view, in [0, 1].</param>
public sealed record FocusViewSchedule(int ViewPosition, int FromIteration, double Share)
{
    /// <summary>Whether iteration <paramref name="iteration"/> (1-based) draws the favoured view.</summary>
    public bool Draws(int iteration)
    {
        if (iteration <= FromIteration || Share <= 0) return false;
        long k = iteration - FromIteration; // 1, 2, ... within the phase
        // Evenly spaced: iteration k is a focus draw when floor(k * share) steps up (k = 1/share, 2/share, ...).
        return Math.Floor(k * Share + 1e-9) > Math.Floor((k - 1) * Share + 1e-9);
    }

    /// <summary>
    /// The final <paramref name="phase"/> of a run of <paramref name="iterations"/> (fraction in [0, 1)) favouring the view at
    /// <paramref name="viewPosition"/> on <paramref name="share"/> of its iterations; null when the phase or the share is 0.
    /// </summary>
    public static FocusViewSchedule? Final(int iterations, double phase, double share, int viewPosition = 0)
    {
        if (phase is < 0 or >= 1 || double.IsNaN(phase)) throw new ArgumentOutOfRangeException(nameof(phase), "The final phase must be in [0, 1).");
        if (share is < 0 or > 1 || double.IsNaN(share)) throw new ArgumentOutOfRangeException(nameof(share), "The share must be in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegative(viewPosition);
        int length = (int)Math.Round(phase * Math.Max(0, iterations));
        return length == 0 || share == 0 ? null : new FocusViewSchedule(viewPosition, iterations - length, share);
    }
}

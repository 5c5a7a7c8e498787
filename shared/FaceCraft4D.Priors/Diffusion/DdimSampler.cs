using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Plain DDIM inversion and sampling over a <see cref="DdimPlan"/> with any noise predictor
/// (<c>model(latents, timestep) → output</c>). Inversion follows the diffusers <c>DDIMInverseScheduler</c> convention:
/// the step from level k+1 up to level k evaluates the model at the target timestep on the current latent.
/// </summary>
public static class DdimSampler
{
    /// <summary>
    /// Inverts clean latents. Returns the trajectory: index k holds the latent at level <c>plan.LevelTimestep(k)</c>,
    /// index <c>plan.Count</c> is the input itself; index 0 is the starting point of sampling.
    /// </summary>
    /// <param name="clean">[B, C, h, w]</param>
    public static IReadOnlyList<Tensor> Invert(DdimScheduler scheduler, DdimPlan plan, Tensor clean, Func<Tensor, int, Tensor> model,
        CancellationToken cancellationToken = default)
    {
        var trajectory = new Tensor[plan.Count + 1];
        trajectory[plan.Count] = clean.clone();
        for (int k = plan.Count - 1; k >= 0; k--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = trajectory[k + 1];
            int to = plan.LevelTimestep(k), from = plan.LevelTimestep(k + 1);
            using var output = model(current, to);
            trajectory[k] = scheduler.Transfer(output, current, from, to);
        }
        return trajectory;
    }

    /// <summary>Runs the plan's sampling steps from <paramref name="start"/> (at level <c>plan.Timesteps[0]</c>).</summary>
    public static Tensor Sample(DdimScheduler scheduler, DdimPlan plan, Tensor start, Func<Tensor, int, Tensor> model,
        CancellationToken cancellationToken = default)
    {
        var x = start.clone();
        for (int i = 0; i < plan.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var output = model(x, plan.Timesteps[i]);
            var next = scheduler.Step(output, plan.Timesteps[i], plan.NextTimestep(i), x);
            x.Dispose();
            x = next;
        }
        return x;
    }
}

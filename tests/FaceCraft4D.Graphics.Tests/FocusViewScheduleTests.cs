using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;

namespace FaceCraft4D.Graphics.Tests;

public sealed class FocusViewScheduleTests
{
    [Fact]
    public void The_final_phase_draws_the_view_on_its_share_of_the_last_iterations_evenly_spaced()
    {
        var half = FocusViewSchedule.Final(iterations: 200, phase: 0.5, share: 0.5)!;
        Assert.Equal(100, half.FromIteration);
        Assert.Equal(0, half.ViewPosition);
        var draws = Enumerable.Range(1, 200).Where(half.Draws).ToArray();
        Assert.Equal(50, draws.Length);
        Assert.Equal(Enumerable.Range(1, 50).Select(k => 100 + 2 * k), draws); // 102, 104, ..., 200

        var quarter = FocusViewSchedule.Final(iterations: 200, phase: 0.25, share: 1.0 / 3)!;
        var q = Enumerable.Range(1, 200).Where(quarter.Draws).ToArray();
        Assert.Equal(150, quarter.FromIteration);
        Assert.Equal(16, q.Length); // floor(50 / 3)
        Assert.All(q.Zip(q.Skip(1)), p => Assert.Equal(3, p.Second - p.First));

        var all = FocusViewSchedule.Final(iterations: 10, phase: 0.3, share: 1)!;
        Assert.Equal(new[] { 8, 9, 10 }, Enumerable.Range(1, 10).Where(all.Draws));
    }

    [Fact]
    public void No_phase_or_no_share_is_no_schedule_and_bad_values_are_refused()
    {
        Assert.Null(FocusViewSchedule.Final(200, 0, 0.5));
        Assert.Null(FocusViewSchedule.Final(200, 0.5, 0));
        Assert.Null(FocusViewSchedule.Final(1, 0.25, 0.5)); // rounds to an empty phase
        Assert.Throws<ArgumentOutOfRangeException>(() => FocusViewSchedule.Final(200, 1, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => FocusViewSchedule.Final(200, 0.5, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => FocusViewSchedule.Final(200, double.NaN, 0.5));
    }

    [Fact]
    public async Task The_trainer_draws_the_focus_view_on_schedule_and_a_resumed_run_draws_the_same_views()
    {
        using var scope = torch.NewDisposeScope();
        var views = Views(6);
        var focus = FocusViewSchedule.Final(40, 0.5, 0.5, viewPosition: 3)!;

        var (straight, straightDraws) = Run(views, focus);
        using (straight) await straight.TrainAsync();
        Assert.Equal(40, straightDraws.Count);
        for (int it = 1; it <= 40; it++)
            if (focus.Draws(it)) Assert.Equal(3, straightDraws[it - 1]);
        // The first 20 iterations are the plain shuffled epochs: every view once per epoch of 6.
        Assert.All(straightDraws.Take(18).Chunk(6), epoch => Assert.Equal(Enumerable.Range(0, 6), epoch.Order()));
        // In the phase the shuffled order pauses on the focus iterations: the other 10 draws continue the epochs.
        int focusCount = straightDraws.Skip(20).Count(v => v == 3);
        Assert.True(focusCount >= 10, $"view 3 drawn {focusCount} times in the final phase (at least its 10 focus draws)");

        var (plain, plainDraws) = Run(views, null);
        using (plain) await plain.TrainAsync();
        Assert.Equal(plainDraws.Take(20), straightDraws.Take(20));
        Assert.True(plainDraws.Skip(20).Count(v => v == 3) < focusCount, "without the phase view 3 is drawn less often");

        // Stop at iteration 25 (inside the phase), checkpoint, resume in a fresh trainer: the same views are drawn.
        var (first, resumedDraws) = Run(views, focus);
        using var checkpoint = new MemoryStream();
        using (first)
        {
            await first.TrainAsync(untilIteration: 25);
            await first.SaveCheckpointAsync(checkpoint);
        }
        var (second, secondDraws) = Run(views, focus);
        using (second)
        {
            checkpoint.Position = 0;
            await second.LoadCheckpointAsync(checkpoint);
            await second.TrainAsync();
        }
        Assert.Equal(straightDraws, resumedDraws.Concat(secondDraws));
    }

    [Fact]
    public void A_focus_view_outside_the_view_list_is_refused()
    {
        using var scope = torch.NewDisposeScope();
        var views = Views(3);
        var o = TrainingOptions.StaticSceneDefaults();
        o.FocusView = new FocusViewSchedule(3, 10, 0.5);
        using var model = FreeGaussianModel.RandomInBox(20, new[] { -0.1, -0.1, -0.1 }, new[] { 0.1, 0.1, 0.1 }, 0, new torch.Generator(1));
        Assert.Throws<ArgumentException>(() => new GaussianTrainer(model, views, o));
    }

    private static List<TrainingView> Views(int count) =>
        OrbitCameras.Create(new OrbitCameraOptions { ViewCount = count, Width = 16, Height = 16, FovYDegrees = 18 })
            .Select((c, i) => new TrainingView { Camera = c, Image = HeldScalarOps.Hold(0.5f.ToScalar(), held => torch.full(new long[] { 16, 16, 3 }, held)).DetachFromDisposeScope(), Index = i })
            .ToList();

    /// <summary>A 40-iteration run that records the view index of every step.</summary>
    private static (GaussianTrainer Trainer, List<int> Draws) Run(List<TrainingView> views, FocusViewSchedule? focus)
    {
        var draws = new List<int>();
        var model = FreeGaussianModel.RandomInBox(50, new[] { -0.1, -0.1, -0.1 }, new[] { 0.1, 0.1, 0.1 }, 0, new torch.Generator(5));
        var o = TrainingOptions.StaticSceneDefaults();
        o.Iterations = 40;
        o.Seed = 17;
        o.Densification.Enabled = false;
        o.FocusView = focus;
        var hooks = new TrainingHooks { ExtraLoss = (ctx, _, _) => { draws.Add(ctx.View.Index); return null; } };
        return (new GaussianTrainer(model, views, o, hooks), draws);
    }
}

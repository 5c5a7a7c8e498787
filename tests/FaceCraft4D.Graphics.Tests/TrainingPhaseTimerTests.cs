using FaceCraft4D.Graphics.Training;

namespace FaceCraft4D.Graphics.Tests;

public sealed class TrainingPhaseTimerTests
{
    [Fact]
    public void Nested_phases_are_charged_exclusive_time_and_add_up_to_the_measured_time()
    {
        long now = 0;
        var timer = new TrainingPhaseTimer(() => now, ticksPerSecond: 1000);
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Losses))
        {
            now += 10;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Render)) now += 30;
            now += 5;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Perceptual))
            {
                now += 20;
                using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Render)) now += 7;
            }
        }
        using (TrainingPhaseTimer.Start(null, TrainingPhaseTimer.Optimizer)) now += 100; // no timer: nothing happens

        Assert.Equal(15, timer.Total(TrainingPhaseTimer.Losses).TotalMilliseconds, 9);
        Assert.Equal(37, timer.Total(TrainingPhaseTimer.Render).TotalMilliseconds, 9);
        Assert.Equal(20, timer.Total(TrainingPhaseTimer.Perceptual).TotalMilliseconds, 9);
        Assert.Equal(TimeSpan.Zero, timer.Total(TrainingPhaseTimer.Optimizer));
        Assert.Equal(72, timer.Totals.Values.Sum(t => t.TotalMilliseconds), 9);
        timer.Reset();
        Assert.Empty(timer.Totals);
    }
}

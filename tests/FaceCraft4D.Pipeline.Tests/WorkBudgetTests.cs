using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Pipeline.Orchestration;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>The server-side work budget: the estimate's arithmetic, presets' budgets, refusals and the operator's allowance.</summary>
public sealed class WorkBudgetTests
{
    private readonly RunSettingsResolver resolver = new(Options.Create(new PipelineOptions()), new WorkBudget(Options.Create(new WorkBudgetOptions())));

    [Fact]
    public void The_estimate_is_work_items_times_iterations_times_pixels_per_stage()
    {
        var preview = RunWorkEstimate.For(PipelinePresets.Preview); // 8 views, 3 sources x 2 clips x 6 frames, 256 px
        StageWorkEstimate Of(PipelineStage s) => preview.Stages.Single(e => e.Stage == s);
        const long Px = 256 * 256;

        Assert.Equal((1L, 200L, Px), (Of(PipelineStage.TrainStatic).WorkItems, Of(PipelineStage.TrainStatic).Iterations, Of(PipelineStage.TrainStatic).Pixels));
        Assert.Equal(6.0 * 6 * Px, Of(PipelineStage.AnimateView).Work);
        Assert.Equal(6.0 * 10 * Px, Of(PipelineStage.EnhanceView).Work); // 8 views less reference and back; ceil(25 x 0.4) = 10 steps
        // 36 tracked frames: 100 on the first, 10 on each of the other 35, 2 global epochs over all 36.
        Assert.Equal(100 + (10 * 35) + (2 * 36), Of(PipelineStage.TrackFlame).Iterations);
        Assert.Equal(256.0 * 256, Of(PipelineStage.Preprocess).Work);
        Assert.Equal(preview.Stages.Sum(s => s.Work), preview.Total);
        Assert.Equal(PipelineStages.All, preview.Stages.Select(s => s.Stage));
    }

    [Fact]
    public void Each_preset_fits_its_own_budget_and_the_paper_preset_is_far_beyond_the_preview_budget()
    {
        var budget = new WorkBudget(Options.Create(new WorkBudgetOptions()));

        budget.Check(PipelinePresets.Preview, []);
        budget.Check(PipelinePresets.Paper, []);
        Assert.True(budget.For(PipelinePresets.PaperName) > 1000 * budget.For(PipelinePresets.PreviewName));
    }

    [Fact]
    public void An_override_beyond_the_preset_budget_is_refused_naming_the_budget_the_figure_and_the_setting()
    {
        var error = Assert.Throws<WorkBudgetExceededException>(
            () => resolver.Resolve("preview", JsonNode.Parse("{\"staticIterations\": 100000, \"viewCount\": 4}")!.AsObject()));

        Assert.Equal("over-budget", error.ReasonCode);
        Assert.Equal("preview", error.Preset);
        Assert.True(error.Requested > error.Budget);
        Assert.Equal(["staticIterations"], error.DrivenBy);
        Assert.Contains("'preview' preset's budget", error.Message);
        Assert.Contains("staticIterations=100000", error.Message);
        Assert.Contains("train-static", error.Message);
    }

    [Fact]
    public void Overrides_may_trade_work_between_stages_within_the_budget()
    {
        // More views but fewer iterations and smaller renders: less work in total than the preset.
        var settings = resolver.Resolve("preview", JsonNode.Parse("{\"viewCount\": 12, \"renderSize\": 64, \"staticIterations\": 150}")!.AsObject());

        Assert.Equal(12, settings.ViewCount);
        Assert.True(RunWorkEstimate.For(settings).Total <= new WorkBudget(Options.Create(new WorkBudgetOptions())).For("preview"));
    }

    [Fact]
    public void An_operator_may_exceed_the_budget_but_not_the_ranges()
    {
        var big = resolver.Resolve("preview", JsonNode.Parse("{\"staticIterations\": 100000}")!.AsObject(), WorkAllowance.BeyondPresetBudget);
        Assert.Equal(100_000, big.StaticIterations);

        foreach (var unbounded in new[] { "{\"viewCount\": 96}", "{\"framesPerClip\": 1024}", "{\"staticIterations\": 1000000}", "{\"renderSize\": 2048}" })
        {
            var error = Assert.Throws<InvalidSettingsException>(
                () => resolver.Resolve("paper", JsonNode.Parse(unbounded)!.AsObject(), WorkAllowance.BeyondPresetBudget));
            Assert.Equal("invalid-settings", error.ReasonCode);
        }
    }

    [Fact]
    public void The_headroom_option_scales_every_budget()
    {
        var twice = new WorkBudget(Options.Create(new WorkBudgetOptions { BudgetHeadroom = 2 }));
        var settings = PipelinePresets.Preview with { StaticIterations = 400 }; // a little more work than the preset

        Assert.Throws<WorkBudgetExceededException>(() => new WorkBudget(Options.Create(new WorkBudgetOptions())).Check(settings, ["staticIterations"]));
        twice.Check(settings, ["staticIterations"]);
    }

    [Theory]
    [InlineData("FaceCraft4D.Pipeline.Activities.GpuWorkerUnavailableException", "GPU worker http://10.0.0.7:8000 unreachable: Connection refused", "unavailable")]
    [InlineData("System.NullReferenceException", "at /srv/fc4d/Worker.cs line 7", "internal error")]
    [InlineData("FaceCraft4D.Pipeline.Activities.StageJobFailedException", "Job failed: System.IO.IOException /tmp/x", "worker job failed")]
    public void Stage_failures_with_raw_exception_text_reach_clients_as_a_stable_reason(string type, string raw, string expected)
    {
        var reason = StageFailureReasons.ForClients(new TaskFailureDetails(type, raw, null, null, null));

        Assert.Contains(expected, reason);
        Assert.DoesNotContain(raw, reason);
    }

    [Fact]
    public void A_refusal_of_the_stage_input_keeps_its_user_facing_reason_even_wrapped_in_a_job()
    {
        var inner = new TaskFailureDetails("FaceCraft4D.Pipeline.Activities.StageInputRejectedException", "no face in the photo", null, null, null);
        var outer = new TaskFailureDetails("Microsoft.DurableTask.TaskFailedException", "Task failed", null, inner, null);

        Assert.Equal("no face in the photo", StageFailureReasons.ForClients(outer));
    }
}

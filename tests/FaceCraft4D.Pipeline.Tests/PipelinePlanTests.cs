using System.ComponentModel.DataAnnotations;
using FaceCraft4D.Contracts;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

public sealed class PipelinePlanTests
{
    [Fact]
    public void The_paper_preset_fans_out_22_views_and_12_sources_times_8_clips()
    {
        var plan = PipelinePlan.For(PipelinePresets.Paper);

        Assert.Equal(22, plan.WorkItems(PipelineStage.EnhanceView).Count);
        Assert.Equal(96, plan.WorkItems(PipelineStage.AnimateView).Count);
        Assert.Equal("12", plan.WorkItems(PipelineStage.EnhanceBackView)[0].Parameters["view"]);
        Assert.DoesNotContain(plan.WorkItems(PipelineStage.EnhanceView), i => i.Parameters["view"] is "0" or "12");
        Assert.All(PipelineStages.All.Except([PipelineStage.EnhanceView, PipelineStage.AnimateView]), s => Assert.Single(plan.WorkItems(s)));
    }

    [Fact]
    public void Source_views_are_the_reference_and_the_views_closest_to_frontal()
    {
        var plan = PipelinePlan.For(PipelinePresets.Paper);

        // 24 views, 15 degrees apart: the 12 closest to 0 degrees are 0, +-15 .. +-75 and one of +-90 (ties by index).
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 19, 20, 21, 22, 23], plan.SourceViews);
        Assert.Equal(plan.WorkItems(PipelineStage.AnimateView).Count, plan.WorkItems(PipelineStage.AnimateView).Select(i => i.Key).Distinct().Count());
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(8, 9)]
    public void Inconsistent_settings_are_refused_with_a_message(int views, int sources)
    {
        var settings = PipelinePresets.Preview with { ViewCount = views, SourceViewCount = sources };

        var error = Assert.Throws<ValidationException>(() => PipelinePlan.For(settings));
        Assert.Contains(views % 2 == 1 ? "even" : "cannot exceed", error.Message);
    }

    [Fact]
    public void Run_ids_depend_on_image_and_settings_and_are_recognised()
    {
        var image = ContentHash.OfText("image");
        var a = RunIdentity.For(image, PipelinePresets.Preview);
        var b = RunIdentity.For(image, PipelinePresets.Preview with { Seed = 8 });
        var c = RunIdentity.For(ContentHash.OfText("other"), PipelinePresets.Preview);

        Assert.Equal(a, RunIdentity.For(image, PipelinePresets.Preview));
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
        Assert.True(RunIdentity.IsValid(a));
        Assert.False(RunIdentity.IsValid("fc4d-../../etc/passwd-0000000"));
        Assert.False(RunIdentity.IsValid(a.ToUpperInvariant()));
    }

    [Fact]
    public void Run_ids_carry_a_16_hex_scope_that_names_the_owner_and_pipeline_version_and_legacy_ids_stay_valid()
    {
        var image = ContentHash.OfText("image");
        var id = RunIdentity.For(image, PipelinePresets.Preview);

        Assert.Equal(RunIdentity.Length, id.Length);
        Assert.Equal(38, id.Length);
        Assert.Matches("^fc4d-[0-9a-f]{16}-[0-9a-f]{16}$", id);
        // The scope is a hash of settings, owner and pipeline version: recompute it independently.
        var scope = ContentHash.OfText($"{ContentHash.OfJson(PipelinePresets.Preview)}\nowner=local\npipeline={RunIdentity.PipelineVersion}");
        Assert.EndsWith("-" + scope[..16], id);
        Assert.NotEqual(id, RunIdentity.For(image, PipelinePresets.Preview, "alice"));

        // Ids of runs stored before the widening (8 hex) still name their runs; other lengths and characters do not.
        Assert.True(RunIdentity.IsValid("fc4d-0123456789abcdef-01234567"));
        Assert.False(RunIdentity.IsValid("fc4d-0123456789abcdef-0123456789abcde"));
        Assert.False(RunIdentity.IsValid("fc4d-0123456789abcdef-0123456789abcdef0"));
        Assert.False(RunIdentity.IsValid("fc4d-0123456789abcdef-0123456789abcdeg"));
        Assert.False(RunIdentity.IsValid("fc4d-0123456789abcdef.0123456789abcdef"));
        Assert.NotNull(JobKey.TryParse($"{id}.train-static.0.0123456789abcdef"));
        Assert.Throws<ArgumentException>(() => RunIdentity.For("../../etc/passwd-not-hex", PipelinePresets.Preview));
    }

    [Fact]
    public void The_input_hash_changes_with_inputs_parameters_and_settings_but_not_with_dictionary_order()
    {
        var inputs = new Dictionary<string, BlobRef> { ["a"] = new("runs", "x", "11"), ["b"] = new("runs", "y", "22") };
        var reordered = new Dictionary<string, BlobRef> { ["b"] = new("runs", "y", "22"), ["a"] = new("runs", "x", "11") };
        var parameters = new Dictionary<string, string> { ["view"] = "3" };
        var request = new StageRequest("fc4d-0123456789abcdef-01234567", PipelineStage.EnhanceView, "view-03", inputs, PipelinePresets.Preview, parameters);

        Assert.Equal(request.InputHash(), (request with { Inputs = reordered }).InputHash());
        Assert.NotEqual(request.InputHash(), (request with { Inputs = new Dictionary<string, BlobRef>(inputs) { ["a"] = new("runs", "x", "12") } }).InputHash());
        Assert.NotEqual(request.InputHash(), (request with { Parameters = new Dictionary<string, string> { ["view"] = "4" } }).InputHash());
        Assert.NotEqual(request.InputHash(), (request with { Settings = PipelinePresets.Preview with { RenderSize = 96 } }).InputHash());
        var v1 = request with { Implementation = new StageImplementation(PipelineStage.EnhanceView, 1, StageImplementation.NoWeights).Id };
        Assert.NotEqual(request.InputHash(), v1.InputHash());
        Assert.NotEqual(v1.InputHash(), (request with { Implementation = new StageImplementation(PipelineStage.EnhanceView, 2, StageImplementation.NoWeights).Id }).InputHash());
        Assert.NotEqual(v1.InputHash(), (request with { Implementation = new StageImplementation(PipelineStage.EnhanceView, 1, "0123456789abcdef").Id }).InputHash());
        Assert.NotEqual(v1.IdempotencyKey(), request.IdempotencyKey());
        Assert.StartsWith($"{request.RunId}.enhance-view.view-03.", request.IdempotencyKey());
    }

    [Fact]
    public void Retry_and_poll_delays_grow_and_are_capped()
    {
        var policy = RunPolicy.Default with { ActivityFirstRetryDelay = TimeSpan.FromSeconds(1), ActivityMaxRetryDelay = TimeSpan.FromSeconds(5) };

        Assert.Equal([1, 2, 4, 5, 5], Enumerable.Range(1, 5).Select(r => policy.RetryDelay(r).TotalSeconds));
        Assert.Equal(policy.JobPollInterval, policy.PollDelay(0));
        Assert.Equal(policy.MaxJobPollInterval, policy.PollDelay(100));
        Assert.True(policy.PollDelay(2) > policy.PollDelay(1));
    }
}

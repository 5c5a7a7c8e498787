using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>Every wait fits under the Functions host's limit: long stages are polled on durable timers, short ones inside one activity.</summary>
public sealed class StageTimeoutTests
{
    private static readonly TimeSpan FunctionTimeout = TimeSpan.Parse(
        (string)JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "functions", "FaceCraft4D.Functions", "host.json")))!["functionTimeout"]!,
        System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void The_activity_stage_timeout_fits_under_the_host_function_timeout_with_room_for_the_checkpoint_lookup()
    {
        Assert.True(new GpuWorkerOptions().StageTimeout <= FunctionTimeout - TimeSpan.FromMinutes(2),
            $"StageTimeout {new GpuWorkerOptions().StageTimeout} vs functionTimeout {FunctionTimeout}");
        Assert.True(GpuWorkerOptions.MaxStageTimeout < FunctionTimeout);
    }

    [Fact]
    public void The_stages_that_take_hours_at_the_paper_preset_are_polled_jobs()
    {
        Assert.All([PipelineStage.TrackFlame, PipelineStage.TrainStatic, PipelineStage.TrainCoin], s => Assert.True(s.IsLongRunning(), s.Slug()));
        Assert.All([PipelineStage.Preprocess, PipelineStage.Export], s => Assert.False(s.IsLongRunning(), s.Slug()));
    }

    [Theory]
    [InlineData("02:00:00")]
    [InlineData("00:00:00")]
    public void A_stage_timeout_the_host_would_cut_short_is_refused_at_configuration(string timeout)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fc4d:GpuWorker:BaseUrl"] = "http://worker:8080",
            ["Fc4d:GpuWorker:StageTimeout"] = timeout,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddFc4dPipeline(configuration);

        var error = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<GpuWorkerOptions>>().Value);

        Assert.Contains("functionTimeout", error.Message);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FaceCraft4D.Cloud.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}

namespace FaceCraft4D.Benchmarks;

/// <summary>The list of benchmark subcommands (one class per benchmark).</summary>
public static class BenchmarkRegistry
{
    /// <summary>All registered benchmarks.</summary>
    public static IReadOnlyList<IBenchmark> All { get; } = new IBenchmark[]
    {
        new SplatBenchmark(),
        new VisionStagesBenchmark(),
        new VideoStagesBenchmark(),
        new VideoDecodeBenchmark(),
        new CoinBenchmark(),
        new FaceMeshBenchmark(),
        new VideoTrackingBenchmark(),
        new PerceptualLossBenchmark(),
        new EsrganBenchmark(),
        new TrainBenchmark(),
        new Plan.PlanBenchmark(),
        new OrchestrationBenchmark(),
        new MatteBenchmark(),
        new PriorSideFacesBenchmark(),
        new SideViewProbe(),
        new ViewChainBenchmark(),
        new BackColumnProbe(),
    };
}

using System.Diagnostics;
using FaceCraft4D.LocalHost.Durable;
using FaceCraft4D.LocalHost.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Dispatch latency of the local durable engine, the one the local host runs (<see cref="DurableSidecar"/>: the Durable
/// Task Framework's Azure Storage provider on Azurite, served over gRPC; the DurableTask worker and client connected to
/// it): an orchestration that fans out <c>--fan-out</c> trivial activities and waits for all, and one that calls
/// <c>--chain</c> trivial activities one after another (the round trip a stage pays: schedule, dequeue, run, report,
/// replay). Each configuration in <c>--polling-ms</c> (the engine's <see cref="DurableEngineOptions.MaxQueuePollingInterval"/>)
/// gets its own task hub on one Azurite. Options: --fan-out 100 --chain 20 --repeats 3 --polling-ms 1000,100 (the
/// previous default and the current one).
/// </summary>
public sealed class OrchestrationBenchmark : IBenchmark
{
    private const string FanOutName = "BenchFanOut";
    private const string ChainName = "BenchChain";
    private const string NoopName = "BenchNoop";

    /// <inheritdoc />
    public string Name => "orchestration";

    /// <inheritdoc />
    public string Description => "local durable engine (Azure Storage provider on Azurite + gRPC sidecar): fan-out of 100 trivial activities, per-activity latency";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        int fanOut = a.GetInt("fan-out", 100);
        int chain = a.GetInt("chain", 20);
        int repeats = Math.Max(1, a.GetInt("repeats", 3));
        var pollings = a.GetInts("polling-ms", 1000, (int)new DurableEngineOptions().MaxQueuePollingInterval.TotalMilliseconds); // the old default, then the current one
        var repo = RepositoryLayout.Locate();
        var data = Path.Combine(Path.GetTempPath(), $"fc4d-bench-orchestration-{Environment.ProcessId}");
        Directory.CreateDirectory(data);
        try
        {
            await using var azurite = await AzuriteServer.StartAsync(repo, data, NullLogger.Instance, cancellationToken);
            output.WriteLine($"orchestration benchmark: Azurite + DurableTask Azure Storage provider + gRPC sidecar, load average {LoadAverage()}; " +
                             $"fan-out {fanOut}, chain {chain}, {repeats} repeats (median)");
            output.WriteLine($"{"max polling",12} {"fan-out s",10} {"ms/activity",12} {"chain s",8} {"ms/step",8}");
            foreach (int polling in pollings)
            {
                var options = new DurableEngineOptions { TaskHubName = $"bench{polling}", MaxQueuePollingInterval = TimeSpan.FromMilliseconds(polling) };
                var (fan, steps) = await MeasureAsync(options, azurite.ConnectionString, fanOut, chain, repeats, cancellationToken);
                output.WriteLine($"{polling,10}ms {fan,10:F2} {1000 * fan / fanOut,12:F1} {steps,8:F2} {1000 * steps / chain,8:F0}");
            }
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        output.WriteLine("fan-out s = schedule to completion of one orchestration fanning out N activities; chain = N activities one after another");
        output.WriteLine("(ms/step = the latency one sequential stage dispatch pays). Tune with Fc4d:Durable:MaxQueuePollingInterval.");
        return 0;
    }

    private static async Task<(double FanOut, double Chain)> MeasureAsync(DurableEngineOptions options, string connectionString, int fanOut, int chain, int repeats, CancellationToken ct)
    {
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        await using var sidecar = await DurableSidecar.StartAsync(options, connectionString, loggerFactory, ct);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(sidecar.Channel);
            worker.AddTasks(registry =>
            {
                registry.AddActivityFunc<int, int>(NoopName, (_, i) => i);
                registry.AddOrchestratorFunc<int, int>(FanOutName, async (context, n) =>
                    (await Task.WhenAll(Enumerable.Range(0, n).Select(i => context.CallActivityAsync<int>(NoopName, i)))).Sum());
                registry.AddOrchestratorFunc<int, int>(ChainName, async (context, n) =>
                {
                    int sum = 0;
                    for (int i = 0; i < n; i++) sum += await context.CallActivityAsync<int>(NoopName, i);
                    return sum;
                });
            });
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(sidecar.Channel));
        using var host = builder.Build();
        await host.StartAsync(ct);
        try
        {
            var client = host.Services.GetRequiredService<DurableTaskClient>();
            async Task<double> TimeAsync(string name, int n)
            {
                var clock = Stopwatch.StartNew();
                var id = await client.ScheduleNewOrchestrationInstanceAsync(name, n, ct);
                var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, ct);
                clock.Stop();
                if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed || done.ReadOutputAs<int>() != n * (n - 1) / 2)
                    throw new InvalidOperationException($"{name} ended {done.RuntimeStatus}.");
                return clock.Elapsed.TotalSeconds;
            }
            await TimeAsync(ChainName, 2); // warm-up: partitions leased, queues created, JIT
            var fan = new List<double>();
            var seq = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                fan.Add(await TimeAsync(FanOutName, fanOut));
                seq.Add(await TimeAsync(ChainName, chain));
            }
            return (Median(fan), Median(seq));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v[v.Count / 2];
    }
}

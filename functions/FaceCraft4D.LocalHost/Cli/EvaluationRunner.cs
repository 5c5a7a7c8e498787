using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Metrics.Reports;
using FaceCraft4D.Pipeline.Evaluation;
using FaceCraft4D.Storage;
using Microsoft.DurableTask.Client;
using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// <c>eval SET|FOLDER</c>: runs an evaluation batch on the local stack. A folder of photos is first copied to
/// <c>eval/sets/{folder name}/</c>; the report and each image's contact sheet are copied to <c>out/eval/{batchId}/</c>,
/// and a per-image table (status, reference PSNR/SSIM, face found and ID per view, wall time) is printed and saved there
/// as <c>table.txt</c>.
/// </summary>
public sealed class EvaluationRunner(IAnsiConsole console)
{
    /// <summary>Runs the batch to its end; returns the exit code.</summary>
    public async Task<int> RunAsync(string setOrFolder, string? preset, string[] configurationArgs, CancellationToken cancellationToken)
    {
        await using var host = await EmbeddedHost.StartAsync(configurationArgs, cancellationToken).ConfigureAwait(false);
        var blobs = host.App.Services.GetRequiredService<IBlobStore>();
        var setName = setOrFolder;
        if (Directory.Exists(setOrFolder))
        {
            setName = new string(Path.GetFileName(Path.GetFullPath(setOrFolder).TrimEnd('/')).ToLowerInvariant()
                .Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
            var files = Directory.EnumerateFiles(setOrFolder)
                .Where(f => EvaluationLayout.ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order().ToArray();
            foreach (var file in files)
            {
                var blob = new BlobRef(StorageLayout.EvalContainer, EvaluationLayout.SetPrefix(setName) + Path.GetFileName(file));
                await blobs.WriteAsync(blob, await BinaryData.FromStreamAsync(File.OpenRead(file), cancellationToken).ConfigureAwait(false),
                    "application/octet-stream", cancellationToken).ConfigureAwait(false);
            }

            console.MarkupLineInterpolated($"Copied {files.Length} images to eval/{EvaluationLayout.SetPrefix(setName)}");
        }

        var evaluations = host.App.Services.GetRequiredService<EvaluationService>();
        string batchId;
        try
        {
            batchId = await evaluations.StartAsync(setName, preset, null, "cli", cancellationToken).ConfigureAwait(false);
        }
        catch (BadSubmissionException e)
        {
            console.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 2;
        }

        console.MarkupLineInterpolated($"Evaluation batch [bold]{batchId}[/] on set '{setName}'");
        EvaluationStatusView? view = null;
        string? last = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            view = await evaluations.GetAsync(batchId, cancellationToken).ConfigureAwait(false);
            var line = view?.Progress is { } p
                ? $"{p.Phase}: {p.Completed}/{p.Images} completed, {p.Failed} failed, {p.Rejected} rejected"
                : view?.RuntimeStatus ?? "pending";
            if (line != last)
            {
                console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
                last = line;
            }

            if (view is { RuntimeStatus: not ("Pending" or "Running") })
            {
                break;
            }

            await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
        }

        if (view?.Output is not { } output)
        {
            console.MarkupLineInterpolated($"[red]Batch {view?.RuntimeStatus ?? "unknown"}:[/] {view?.Error}");
            return 1;
        }

        var target = Path.Combine(host.Repository.Root, "out", "eval", batchId);
        Directory.CreateDirectory(target);
        foreach (var blob in output.Report)
        {
            var data = await blobs.TryReadAsync(blob, cancellationToken).ConfigureAwait(false);
            if (data is not null)
            {
                var path = Path.Combine(target, Path.GetFileName(blob.Name));
                await File.WriteAllBytesAsync(path, data.ToArray(), cancellationToken).ConfigureAwait(false);
                console.WriteLine($"  {path}");
            }
        }

        foreach (var entry in output.Entries)
        {
            console.WriteLine($"  {entry.ImageName}: {entry.Status}{(entry.Error is null ? string.Empty : " - " + entry.Error)}");
        }

        await PrintTableAsync(host, blobs, output, target, cancellationToken).ConfigureAwait(false);

        return output.Entries.All(e => e.Status == "completed") ? 0 : 1;
    }

    /// <summary>Prints the per-image table (<see cref="EvaluationTableFormatter"/>) and writes it to <c>table.txt</c>.</summary>
    private async Task PrintTableAsync(EmbeddedHost host, IBlobStore blobs, EvaluationBatchOutput output, string target, CancellationToken cancellationToken)
    {
        var reportBlob = output.Report.FirstOrDefault(b => Path.GetFileName(b.Name) == "report.json");
        var data = reportBlob is null ? null : await blobs.TryReadAsync(reportBlob, cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            console.MarkupLine("[yellow]No report.json: no table.[/]");
            return;
        }

        var report = MetricsJson.Deserialize<EvaluationReport>(data.ToString());
        // Each image ran as a sub-orchestration of the batch (instance "{batchId}.{runId}"): its output's stage table has
        // the run's wall and work time. A lookup by the run id alone finds no instance (the wall column stayed empty).
        var client = host.App.Services.GetRequiredService<DurableTaskClient>();
        var runTimes = new Dictionary<string, EvaluationRunTime>(StringComparer.Ordinal);
        foreach (var entry in output.Entries)
        {
            if (entry.RunId is not { } runId) continue;
            var metadata = await client.GetInstanceAsync(EvaluationBatchOrchestrator.RunInstanceId(output.BatchId, runId), getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
            if (metadata is null) continue;
            var timing = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<RunOutput>()?.Timing : null;
            runTimes[runId] = timing is not null
                ? new EvaluationRunTime(TimeSpan.FromSeconds(timing.WallSeconds), TimeSpan.FromSeconds(timing.WorkSeconds))
                : new EvaluationRunTime(metadata.LastUpdatedAt - metadata.CreatedAt, null);
        }

        var table = new EvaluationTableFormatter().Format(report, runTimes) + $"load average at the end: {MachineLoad.Average()}\n";
        console.WriteLine();
        console.WriteLine(table);
        var path = Path.Combine(target, "table.txt");
        await File.WriteAllTextAsync(path, table, cancellationToken).ConfigureAwait(false);
        console.WriteLine($"  {path}");
    }
}

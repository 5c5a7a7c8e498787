using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// <c>create</c> and <c>demo</c>: starts the embedded stack, submits one photo, shows live per-stage progress,
/// and copies the finished avatar to the output folder.
/// </summary>
public sealed class LocalRunner(IAnsiConsole console)
{
    /// <summary>Runs one photo end to end; returns the process exit code.</summary>
    public async Task<int> RunAsync(
        string imagePath, string? preset, string? outputDirectory, IReadOnlyDictionary<string, string> overrides,
        string[] configurationArgs, CancellationToken cancellationToken)
    {
        if (!File.Exists(imagePath))
        {
            console.MarkupLineInterpolated($"[red]No such file:[/] {imagePath}");
            return 2;
        }

        console.MarkupLine("[grey]Starting the local stack (Azurite, durable engine, CPU GPU-worker)…[/]");
        await using var host = await EmbeddedHost.StartAsync(configurationArgs, cancellationToken).ConfigureAwait(false);
        var (repo, stack, baseUrl) = (host.Repository, host.Stack, host.BaseUrl);
        var runs = host.App.Services.GetRequiredService<AvatarRunService>();
        // The run's clock starts at submission: the host's and the workers' first-use costs are paid before it (bounded).
        var stackOptions = host.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LocalStackOptions>>().Value;
        await host.App.Services.GetRequiredService<Warmup.FirstUseWarmup>().WaitAsync(stackOptions.WarmUpWait, cancellationToken).ConfigureAwait(false);

        RunSubmission submission;
        try
        {
            var content = await BinaryData.FromStreamAsync(File.OpenRead(imagePath), cancellationToken).ConfigureAwait(false);
            var settings = overrides.Count == 0 ? null : new System.Text.Json.Nodes.JsonObject(
                overrides.Select(kv => KeyValuePair.Create(kv.Key, (System.Text.Json.Nodes.JsonNode?)ParseValue(kv.Value))));
            // The command line is the machine's own operator: its --set overrides may go beyond the preset's work budget (not its ranges).
            submission = await runs.SubmitAsync(content, Path.GetFileName(imagePath), preset, settings, RunSource.Cli, cancellationToken,
                WorkAllowance.BeyondPresetBudget).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidPortraitException or InvalidSettingsException)
        {
            console.MarkupLineInterpolated($"[red]Rejected:[/] {e.Message}");
            return 2;
        }

        console.MarkupLineInterpolated($"Run [bold]{submission.RunId}[/] ({(submission.Created ? "new" : "existing, identical photo and settings")}); API at {baseUrl}/api/avatars/{submission.RunId}");
        var watch = new ProgressWatch(console);
        var final = await watch.WatchAsync(
            submission.RunId, ct => runs.GetStatusAsync(submission.RunId, baseUrl, ct), s => (s.RuntimeStatus, s.CustomStatus), cancellationToken)
            .ConfigureAwait(false);
        if (final is not { RuntimeStatus: "Completed" })
        {
            return watch.ReportUnfinished("Run", final?.RuntimeStatus, final?.Error ?? final?.CustomStatus?.Message, stack.DataDirectory);
        }

        if (final.Output is { } output)
        {
            new RunTimingView(console).Write(output);
        }

        var target = Path.GetFullPath(outputDirectory ?? Path.Combine(repo.Root, "out", submission.RunId));
        var files = await DownloadArtifactsAsync(runs, submission.RunId, target, cancellationToken).ConfigureAwait(false);
        await new AvatarFolderSummary(console).WriteAsync(target, submission.RunId, files, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static async Task<IReadOnlyList<string>> DownloadArtifactsAsync(AvatarRunService runs, string runId, string target, CancellationToken cancellationToken)
    {
        var written = new List<string>();
        var prefix = Contracts.StorageLayout.AvatarPrefix(runId);
        foreach (var artifact in await runs.ListArtifactsAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            var name = artifact.Blob.Name[prefix.Length..];
            if (await runs.OpenArtifactAsync(runId, name, cancellationToken).ConfigureAwait(false) is not { } opened)
            {
                continue;
            }

            var path = Path.Combine(target, name.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using (opened.Content)
            await using (var file = File.Create(path))
            {
                await opened.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }

            written.Add(path);
        }

        return written;
    }

    private static System.Text.Json.Nodes.JsonNode? ParseValue(string text)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return System.Text.Json.Nodes.JsonValue.Create(text);
        }
    }
}

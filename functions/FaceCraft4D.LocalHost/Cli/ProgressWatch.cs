using FaceCraft4D.Contracts;
using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// Polls a job with per-stage progress (an avatar run, a video animation job) until it leaves Pending/Running, showing
/// its stages as it goes: a live table on a terminal, the changed lines otherwise (<see cref="RunProgressView"/>).
/// </summary>
public sealed class ProgressWatch(IAnsiConsole console)
{
    /// <summary>Time between two polls.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The job's last status once it ended (null while it is not found yet), or null when <paramref name="cancellationToken"/>
    /// stopped the watch (the job itself goes on).
    /// </summary>
    /// <param name="title">The table's title (the job's id).</param>
    /// <param name="poll">Reads the job's status; null while it is not there yet.</param>
    /// <param name="read">The status's runtime status and stage progress.</param>
    /// <param name="cancellationToken">Stops watching.</param>
    public async Task<TStatus?> WatchAsync<TStatus>(
        string title, Func<CancellationToken, Task<TStatus?>> poll, Func<TStatus, (string RuntimeStatus, RunProgress? Progress)> read,
        CancellationToken cancellationToken)
        where TStatus : class
    {
        var view = new RunProgressView(console);
        TStatus? status = null;
        try
        {
            if (view.Interactive)
            {
                await console.Live(new Text("waiting for the first status…")).StartAsync(async live =>
                {
                    while (!await PollAsync(s => live.UpdateTarget(RunProgressView.Table(title, read(s).RuntimeStatus, read(s).Progress))).ConfigureAwait(false))
                    {
                        await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }
            else
            {
                while (!await PollAsync(s => view.PrintChanges(read(s).Progress)).ConfigureAwait(false))
                {
                    await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return status;

        // Reads the status, shows it, and says whether the job has ended.
        async Task<bool> PollAsync(Action<TStatus> show)
        {
            status = await poll(cancellationToken).ConfigureAwait(false);
            if (status is null)
            {
                return false;
            }

            show(status);
            return read(status).RuntimeStatus is not ("Pending" or "Running");
        }
    }

    /// <summary>
    /// Tells what became of a watched job that did not complete and returns the CLI's exit code for it: 130 when the
    /// watch was stopped (the job is kept and goes on the next time the local host runs), 1 when it failed or was terminated.
    /// </summary>
    /// <param name="kind">What the job is, as the lines name it (<c>Run</c>, <c>Animation</c>).</param>
    /// <param name="runtimeStatus">How it ended; null when the watch was stopped.</param>
    /// <param name="error">Its failure text, when it has one.</param>
    /// <param name="dataDirectory">The local stack's data folder (the logs are under it).</param>
    public int ReportUnfinished(string kind, string? runtimeStatus, string? error, string dataDirectory)
    {
        if (runtimeStatus is null)
        {
            console.MarkupLineInterpolated(
                $"[yellow]Stopped watching. The {kind.ToLowerInvariant()} is kept in the local storage and continues the next time the local host runs (./fc4d host).[/]");
            return 130;
        }

        console.MarkupLineInterpolated($"[red]{kind} {runtimeStatus}:[/] {error ?? "no details"}");
        console.MarkupLineInterpolated($"[grey]Logs: {Path.Combine(dataDirectory, "logs")}[/]");
        return 1;
    }
}

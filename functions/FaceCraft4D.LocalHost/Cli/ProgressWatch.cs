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
}

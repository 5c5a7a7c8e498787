using FaceCraft4D.Models.Installation;
using Spectre.Console;

namespace FaceCraft4D.LocalHost.Cli;

/// <summary>
/// Shows <see cref="ModelsProgress"/>: a live Spectre progress bar per file on a terminal, plain lines (each stage,
/// every 10 % of a download, resumes) when the output is redirected.
/// </summary>
public sealed class ModelsProgressView(IAnsiConsole console) : IProgress<ModelsProgress>
{
    private readonly Dictionary<string, ProgressTask> tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Stage, int Decile, bool Resumed)> printed = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private ProgressContext? context;

    /// <summary>True when the output is a terminal (live bars); false for plain lines.</summary>
    public bool Live { get; } = !Console.IsOutputRedirected && console.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with the live display when there is a terminal.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        if (!Live) return await work().ConfigureAwait(false);
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                context = ctx;
                result = await work().ConfigureAwait(false);
            }).ConfigureAwait(false);
        context = null;
        return result;
    }

    /// <inheritdoc />
    public void Report(ModelsProgress value)
    {
        lock (gate)
        {
            var key = $"{value.Prior}/{value.File}";
            if (context is not null) ReportLive(key, value);
            else ReportPlain(key, value);
        }
    }

    private void ReportLive(string key, ModelsProgress value)
    {
        if (!tasks.TryGetValue(key, out var task))
        {
            task = context!.AddTask(Markup.Escape(key), autoStart: true, maxValue: 1);
            tasks[key] = task;
        }
        task.Description = Markup.Escape($"{key} [{value.Stage}{(value.Resumed ? ", resumed" : "")}]");
        if (value.Total is { } total and > 0)
        {
            task.MaxValue = total;
            task.Value = Math.Min(value.Bytes, total);
        }
        if (value.Stage is "install" or "skip") task.Value = task.MaxValue;
    }

    private void ReportPlain(string key, ModelsProgress value)
    {
        int decile = value.Total is { } t and > 0 ? (int)(value.Bytes * 10 / t) : -1;
        if (printed.TryGetValue(key, out var last) && last.Stage == value.Stage && last.Decile == decile && last.Resumed == value.Resumed) return;
        printed[key] = (value.Stage, decile, value.Resumed);
        var amount = value.Total is { } total and > 0 ? $" {value.Bytes:N0}/{total:N0} bytes ({decile * 10} %)" : value.Bytes > 0 ? $" {value.Bytes:N0} bytes" : "";
        var note = value.Resumed ? " (resumed)" : "";
        var message = value.Message is { Length: > 0 } m ? $" {m}" : "";
        console.MarkupLine(Markup.Escape($"[models] {key} {value.Stage}{amount}{note}{message}"));
    }
}

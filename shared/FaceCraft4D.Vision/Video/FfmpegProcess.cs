using System.Diagnostics;
using System.Text;

namespace FaceCraft4D.Vision.Video;

/// <summary>
/// One running ffmpeg: arguments passed as a list (no shell quoting), raw frames through its stdin/stdout pipes, the end
/// of its log kept for error messages. Disposing a process that has not exited kills it, so a cancelled or abandoned
/// read/write never leaves ffmpeg behind.
/// </summary>
internal sealed class FfmpegProcess : IAsyncDisposable
{
    private const int LogLines = 30;
    private readonly Process _process;
    private readonly Queue<string> _log = new();
    private readonly Task _stderrPump;

    private FfmpegProcess(Process process)
    {
        _process = process;
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    /// <summary>The operating-system process id (tests watch it die on cancellation).</summary>
    public int Id => _process.Id;

    /// <summary>ffmpeg's stdin (when started with <c>redirectInput</c>).</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>ffmpeg's stdout.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>Starts <paramref name="ffmpeg"/> with <paramref name="arguments"/> (<c>-nostdin</c> is added when stdin is not a pipe).</summary>
    public static FfmpegProcess Start(string ffmpeg, IEnumerable<string> arguments, bool redirectInput)
    {
        var info = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("-hide_banner");
        info.ArgumentList.Add("-loglevel");
        info.ArgumentList.Add("error");
        if (!redirectInput)
        {
            info.ArgumentList.Add("-nostdin");
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new FfmpegFailedException($"could not start {ffmpeg}");
        return new FfmpegProcess(process);
    }

    /// <summary>Waits for the exit; throws <see cref="FfmpegFailedException"/> with the log's end when ffmpeg failed.</summary>
    public async Task WaitForSuccessAsync(string what, CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        if (_process.ExitCode != 0)
        {
            throw new FfmpegFailedException($"ffmpeg failed {what} (exit code {_process.ExitCode}): {Log}");
        }
    }

    /// <summary>The last lines ffmpeg wrote to stderr.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.Count == 0 ? "(no output)" : string.Join(" | ", _log);
            }
        }
    }

    /// <summary>Kills ffmpeg (and anything it started) now; its pipes close.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Kills ffmpeg if it still runs and waits for it to go.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }

        try
        {
            await _stderrPump.ConfigureAwait(false);
        }
        catch (IOException)
        {
            // the pipe broke with the kill
        }

        _process.Dispose();
    }

    private async Task PumpStderrAsync()
    {
        var reader = _process.StandardError;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            lock (_log)
            {
                _log.Enqueue(line);
                while (_log.Count > LogLines)
                {
                    _log.Dequeue();
                }
            }
        }
    }
}

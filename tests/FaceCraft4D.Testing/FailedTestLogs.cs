using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace FaceCraft4D.Testing;

/// <summary>
/// The logs of the processes one test started (a local host, its Azurite and GPU workers, an Azurite fixture), kept
/// when the test fails: every log is copied to <see cref="Root"/><c>/{test}-{utc time}/</c> before the test's folders
/// are deleted, and the tail of each is written into the test's output, so a failure (a hang in CI included) can be
/// diagnosed from the test output alone. Use: <c>await using var logs = FailedTestLogs.For(output);</c>, register
/// what the test starts (<see cref="Add(string)"/>, <see cref="Add(IHasLogs)"/>), and call <see cref="Passed"/> as
/// the test's last statement; a test that ends any other way (an assertion, a timeout, an exception) keeps them.
/// </summary>
public sealed class FailedTestLogs : IAsyncDisposable
{
    /// <summary>Lines of each log written into the test output.</summary>
    public const int TailLines = 60;

    /// <summary>Largest part of one log that is copied (its end).</summary>
    private const long MaxCopiedBytes = 32L << 20;

    private readonly ITestOutputHelper? output;
    private readonly string test;
    private readonly List<string> sources = [];
    private readonly List<IHasLogs> owners = [];
    private bool passed;

    private FailedTestLogs(ITestOutputHelper? output, string test)
    {
        this.output = output;
        this.test = test;
    }

    /// <summary>Where kept logs go: <c>FC4D_TEST_LOGS</c>, else <c>/tmp/fc4d-test-logs</c>.</summary>
    public static string Root => Environment.GetEnvironmentVariable("FC4D_TEST_LOGS") is { Length: > 0 } root
        ? root
        : Path.Combine(Path.GetTempPath(), "fc4d-test-logs");

    /// <summary>A log keeper for the calling test (its method name names the folder).</summary>
    public static FailedTestLogs For(ITestOutputHelper? output, [CallerMemberName] string test = "") => new(output, test);

    /// <summary>A log file, or a folder whose <c>*.log</c> files (at any depth) are kept; it need not exist yet.</summary>
    public FailedTestLogs Add(string fileOrFolder)
    {
        lock (sources)
        {
            sources.Add(fileOrFolder);
        }

        return this;
    }

    /// <summary>Something that knows its logs (read when the test fails, so paths it learns later count).</summary>
    public FailedTestLogs Add(IHasLogs owner)
    {
        lock (sources)
        {
            owners.Add(owner);
        }

        return this;
    }

    /// <summary>Marks the test as passed: nothing is kept.</summary>
    public void Passed() => passed = true;

    /// <summary>Keeps the logs now (a test that failed); returns the folder they were copied to.</summary>
    public string Keep()
    {
        var folder = Path.Combine(Root, $"{Sanitize(test)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}");
        var files = LogFiles();
        Directory.CreateDirectory(folder);
        Write($"---- test failed: {files.Count} log file(s) kept in {folder} ----");
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            for (var i = 2; !used.Add(name); i++)
            {
                name = $"{Path.GetFileNameWithoutExtension(file)}-{i}{Path.GetExtension(file)}";
            }

            try
            {
                CopyEnd(file, Path.Combine(folder, name));
                Write($"---- {file} (last {TailLines} lines) ----");
                foreach (var line in Tail(file, TailLines))
                {
                    Write(line);
                }
            }
            catch (IOException e)
            {
                Write($"---- {file}: could not be read ({e.Message}) ----");
            }
        }

        return folder;
    }

    /// <summary>The log files of every source, in the order they were added.</summary>
    public IReadOnlyList<string> LogFiles()
    {
        List<string> all;
        lock (sources)
        {
            all = [.. sources, .. owners.SelectMany(o => o.LogPaths)];
        }

        var files = new List<string>();
        foreach (var source in all.Distinct(StringComparer.Ordinal))
        {
            if (File.Exists(source))
            {
                files.Add(source);
            }
            else if (Directory.Exists(source))
            {
                files.AddRange(Directory.EnumerateFiles(source, "*.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
        }

        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!passed)
        {
            Keep();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The last <paramref name="count"/> lines of a file another process may still be writing.</summary>
    public static IReadOnlyList<string> Tail(string file, int count)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Max(0, stream.Length - (256L * 1024)), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var lines = new Queue<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Enqueue(line);
            if (lines.Count > count)
            {
                lines.Dequeue();
            }
        }

        return lines.ToArray();
    }

    private static void CopyEnd(string from, string to)
    {
        using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        source.Seek(Math.Max(0, source.Length - MaxCopiedBytes), SeekOrigin.Begin);
        using var target = File.Create(to);
        source.CopyTo(target);
    }

    private void Write(string line)
    {
        try
        {
            output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // the test's output is closed: the copies are still kept
        }

        if (output is null)
        {
            Console.Error.WriteLine(line);
        }
    }

    private static string Sanitize(string name) =>
        new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(80).ToArray());
}

/// <summary>A fixture that starts processes and knows where their logs are (<see cref="FailedTestLogs"/> keeps them on failure).</summary>
public interface IHasLogs
{
    /// <summary>Log files, or folders of <c>*.log</c> files.</summary>
    IEnumerable<string> LogPaths { get; }
}

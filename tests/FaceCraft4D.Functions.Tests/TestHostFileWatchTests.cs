using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// The test settings (tests/fc4d.runsettings) turn off the hosts' configuration reload: every Durable Task test host
/// would otherwise watch appsettings.json with its own inotify instance, and parallel tests ran out of Linux's 128 per user
/// in CI.
/// </summary>
public sealed class TestHostFileWatchTests
{
    [Fact]
    public async Task A_durable_test_host_opens_no_inotify_instance()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // inotify is Linux's
        }

        Assert.Equal("false", Environment.GetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange"));
        var before = InotifyInstances();

        await using var host = await InProcessDurableHost.StartAsync(_ => { });

        Assert.True(InotifyInstances() <= before, $"{InotifyInstances()} inotify instances open, {before} before the host started");
    }

    /// <summary>This process's open inotify instances (file descriptors that are <c>anon_inode:inotify</c>).</summary>
    private static int InotifyInstances()
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is "anon_inode:inotify") count++;
            }
            catch (IOException)
            {
                // closed while enumerating
            }
        }

        return count;
    }
}

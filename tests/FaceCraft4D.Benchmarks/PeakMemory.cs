using System.Diagnostics;

namespace FaceCraft4D.Benchmarks;

/// <summary>Process memory figures (Linux /proc where available, .NET counters otherwise).</summary>
public static class PeakMemory
{
    /// <summary>Resets the kernel's peak-RSS counter (Linux: write 5 to /proc/self/clear_refs); false if not possible.</summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Peak resident set size in bytes (VmHWM), or the .NET peak working set.</summary>
    public static long PeakResidentBytes()
    {
        var kb = ReadStatusKb("VmHWM:");
        if (kb > 0) return kb * 1024;
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    /// <summary>Current resident set size in bytes.</summary>
    public static long CurrentResidentBytes()
    {
        var kb = ReadStatusKb("VmRSS:");
        if (kb > 0) return kb * 1024;
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    private static long ReadStatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return -1;
    }
}

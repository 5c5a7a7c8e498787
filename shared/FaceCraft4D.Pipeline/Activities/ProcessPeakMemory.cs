using System.Diagnostics;

namespace FaceCraft4D.Pipeline.Activities;

/// <summary>This process's peak resident memory (host and worker) (Linux VmHWM; elsewhere the .NET peak working set), reported with each job result.</summary>
public static class ProcessPeakMemory
{
    /// <summary>Peak resident set size of this process so far, in MiB.</summary>
    public static double PeakResidentMiB()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal) && long.TryParse(line[6..].Trim().Split(' ')[0], out var kb))
                    return kb / 1024.0;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}

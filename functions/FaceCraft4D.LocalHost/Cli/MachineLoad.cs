namespace FaceCraft4D.LocalHost.Cli;

/// <summary>The machine's load average (1, 5 and 15 minutes, from <c>/proc/loadavg</c>), printed beside timings because the machine may be shared.</summary>
public static class MachineLoad
{
    /// <summary>"1-min 5-min 15-min", or "?" where <c>/proc/loadavg</c> cannot be read.</summary>
    public static string Average()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}

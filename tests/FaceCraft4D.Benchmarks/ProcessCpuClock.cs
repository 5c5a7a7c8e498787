using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// CPU time of this process (all threads, user + system) in microseconds: Linux <c>getrusage(RUSAGE_SELF)</c>, else
/// <see cref="Process.TotalProcessorTime"/>. On a shared machine CPU time is a steadier figure than wall time: other
/// processes' load stretches the wall clock but not (much) the work a step needs.
/// </summary>
public static class ProcessCpuClock
{
    /// <summary>Ticks per second of <see cref="Now"/>.</summary>
    public const long TicksPerSecond = 1_000_000;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public TimeVal User;
        public TimeVal System;
        // The remaining 14 longs of struct rusage.
        public long R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRUsage(int who, out RUsage usage);

    /// <summary>Process CPU time in microseconds.</summary>
    public static long Now()
    {
        if (OperatingSystem.IsLinux() && GetRUsage(0, out var u) == 0)
            return (u.User.Seconds + u.System.Seconds) * TicksPerSecond + u.User.Microseconds + u.System.Microseconds;
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime.Ticks / (TimeSpan.TicksPerSecond / TicksPerSecond);
    }
}

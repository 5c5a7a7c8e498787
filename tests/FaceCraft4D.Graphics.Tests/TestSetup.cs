using System.Runtime.CompilerServices;
using TorchSharp;

namespace FaceCraft4D.Graphics.Tests;

internal static class TestSetup
{
    /// <summary>
    /// libtorch intra-op threads: 1 by default in tests (override with FC4D_TORCH_THREADS). On a busy 2-core machine the
    /// OpenMP barriers of many tiny tensor ops stall when a thread is descheduled; the heavy rasterizer work runs in the
    /// managed kernel, which uses all cores through the .NET thread pool regardless.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        var env = Environment.GetEnvironmentVariable("FC4D_TORCH_THREADS");
        torch.set_num_threads(int.TryParse(env, out var n) && n > 0 ? n : 1);
    }
}

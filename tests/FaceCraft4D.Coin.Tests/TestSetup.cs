using System.Runtime.CompilerServices;
using TorchSharp;

namespace FaceCraft4D.Coin.Tests;

internal static class TestSetup
{
    /// <summary>libtorch intra-op threads: 1 (override with FC4D_TORCH_THREADS); the managed rasterizer uses all cores.</summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        var env = Environment.GetEnvironmentVariable("FC4D_TORCH_THREADS");
        torch.set_num_threads(int.TryParse(env, out var n) && n > 0 ? n : 1);
    }
}

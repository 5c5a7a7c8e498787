using System.Runtime;

namespace FaceCraft4D.Animation.Tracking;

/// <summary>
/// Keeps the garbage collector (and so the finalizer thread) quiet while a stretch of tensor operations runs, by
/// entering a no-GC region of <c>budgetBytes</c> (a collection happens first if needed). Why: TorchSharp 0.107's tensor
/// operators create temporary <c>Scalar</c> objects that only the finalizer frees; a collection during the native call
/// that still reads one can free it under the call ("Expected false to be true ... toFloat", or "Unknown scalar type";
/// upstream dotnet/TorchSharp#1434 disposes them eagerly). The tracker allocates about 0.5 MB of managed memory per
/// step, so a region per frame covers it. Best effort: when another region is active (another job) or the budget is
/// exceeded, the runtime collects as usual.
/// </summary>
internal sealed class QuietGarbageCollection : IDisposable
{
    private readonly bool entered;

    public QuietGarbageCollection(long budgetBytes)
    {
        try
        {
            entered = GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(budgetBytes);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            entered = false;
        }
    }

    public void Dispose()
    {
        if (!entered || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // The region already ended (a collection was needed); nothing to undo.
        }
    }
}

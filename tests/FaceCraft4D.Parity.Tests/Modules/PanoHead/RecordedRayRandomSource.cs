using FaceCraft4D.Vision.ShapePrior.PanoHead;
using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Modules.PanoHead;

/// <summary>Replays a case's recorded renderer draws: <c>in.rand_stratified</c> [N, M, S, 1] and <c>in.rand_importance</c> [rays, count].</summary>
public sealed class RecordedRayRandomSource(Tensor stratified, Tensor importance) : IRayRandomSource
{
    public Tensor Stratified(long[] shape, ScalarType dtype, Device device) => stratified.to(dtype, device).alias();

    public Tensor Importance(long rays, long count, ScalarType dtype, Device device) => importance.to(dtype, device).alias();
}

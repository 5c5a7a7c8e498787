using System.Runtime.CompilerServices;
using FaceCraft4D.Weights.Lifetimes;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Tests;

/// <summary>
/// <see cref="FinalizedTensors"/> sees Tensors that reach the finalizer (made outside any DisposeScope and dropped), and
/// none where a scope holds and disposes them.
/// </summary>
public sealed class FinalizedTensorsTests
{
    // Not inlined: the Tensors must be unreachable once it returns.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeAndDrop(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _ = torch.zeros([3], ScalarType.Float32).to(ScalarType.Float64);
        }
    }

    [Fact]
    public void Counts_temporaries_left_outside_any_scope()
    {
        var finalized = FinalizedTensors.During(() => MakeAndDrop(10));

        // Two Tensors each (zeros and its Float64 copy).
        Assert.InRange(finalized, 20, 20 + 5);
    }

    [Fact]
    public void Counts_none_for_temporaries_a_scope_disposes()
    {
        var finalized = FinalizedTensors.During(() =>
        {
            using var scope = torch.NewDisposeScope();
            MakeAndDrop(10);
        });

        Assert.Equal(0, finalized);
    }

    [Fact]
    public void Counts_none_for_disposed_tensors_and_held_results()
    {
        Tensor? kept = null;
        var finalized = FinalizedTensors.During(() =>
        {
            using var zeros = torch.zeros([3], ScalarType.Float32);
            kept = zeros.to(ScalarType.Float64);
        });

        Assert.Equal(0, finalized);
        Assert.False(kept!.IsInvalid);
        kept.Dispose();
    }
}

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>Which implementation composites the depth-sorted tile lists.</summary>
public enum RasterizerBackend
{
    /// <summary>SIMD CPU kernel for CPU tensors, tensor-op kernel on other devices.</summary>
    Auto,

    /// <summary>Chunked TorchSharp tensor operations (any device; the CUDA path).</summary>
    TensorOps,

    /// <summary>Multi-threaded scalar managed loops over tiles and pixels (CPU tensors only; the CPU reference kernel).</summary>
    ManagedCpu,

    /// <summary>
    /// Multi-threaded managed kernel vectorised over the pixels of a tile row (System.Numerics.Vector), with managed tile
    /// binning, pooled per-thread buffers and a reverse-order backward from the stored final transmittance (CPU tensors only;
    /// fastest on CPU).
    /// </summary>
    SimdCpu,
}

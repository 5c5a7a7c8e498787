namespace FaceCraft4D.Graphics.Splatting;

/// <summary>Which implementation composites the depth-sorted tile lists.</summary>
public enum RasterizerBackend
{
    /// <summary>Managed CPU kernel for CPU tensors, tensor-op kernel on other devices.</summary>
    Auto,

    /// <summary>Chunked TorchSharp tensor operations (any device; the CUDA path).</summary>
    TensorOps,

    /// <summary>Multi-threaded managed loops over tiles and pixels (CPU tensors only; fastest on CPU).</summary>
    ManagedCpu,
}

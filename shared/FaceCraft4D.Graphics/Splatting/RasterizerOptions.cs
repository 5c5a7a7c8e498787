namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Tunables of the 3D Gaussian splatting rasterizer. Defaults follow the 3DGS reference
/// (Kerbl et al. 2023) and gsplat's projection.
/// </summary>
public sealed class RasterizerOptions
{
    /// <summary>Tile edge in pixels (tiles are TileSize x TileSize).</summary>
    public int TileSize { get; set; } = 16;

    /// <summary>Gaussians per tile processed together by the tensor-op backend (bounds memory to tiles x pixels x chunk).</summary>
    public int ChunkSize { get; set; } = 32;

    /// <summary>
    /// Tensor-op backend: upper bound on tiles x pixels-per-tile x chunk elements evaluated at once (tiles are processed in
    /// groups to stay under it), which bounds the working memory independently of image size and Gaussian count
    /// (measured on CPU: about 2.6 KB of peak memory per element). 0 = automatic: 2^18 on CPU, 2^23 on other devices.
    /// </summary>
    public long MaxChunkElements { get; set; }

    /// <summary>The effective <see cref="MaxChunkElements"/> for a device type.</summary>
    public long ChunkElementsFor(TorchSharp.DeviceType device) =>
        MaxChunkElements > 0 ? MaxChunkElements : device == TorchSharp.DeviceType.CPU ? 1L << 18 : 1L << 23;

    /// <summary>Gaussians closer than this camera depth are culled.</summary>
    public double NearPlane { get; set; } = 0.01;

    /// <summary>Gaussians farther than this camera depth are culled.</summary>
    public double FarPlane { get; set; } = 1e10;

    /// <summary>Low-pass dilation added to the diagonal of every 2D covariance (pixels^2).</summary>
    public double LowPassFilter { get; set; } = 0.3;

    /// <summary>Screen-space extent in standard deviations used for the per-axis radii and tile overlap.</summary>
    public double RadiusSigmas { get; set; } = 3.33;

    /// <summary>Upper clamp of a Gaussian's alpha at a pixel.</summary>
    public double MaxAlpha { get; set; } = 0.99;

    /// <summary>Contributions with alpha below this are skipped.</summary>
    public double MinAlpha { get; set; } = 1.0 / 255.0;

    /// <summary>Compositing of a pixel stops before a Gaussian that would bring transmittance to this value or below.</summary>
    public double MinTransmittance { get; set; } = 1e-4;

    /// <summary>Compositing implementation.</summary>
    public RasterizerBackend Backend { get; set; } = RasterizerBackend.Auto;

    /// <summary>Worker threads of the managed CPU kernels (0 = all processors).</summary>
    public int CpuThreads { get; set; }

    /// <summary>
    /// SIMD CPU kernel: use hardware vectors when the CPU has them (true) or force the one-lane scalar path of the same code
    /// (false; tests use it to cover CPUs without vector units).
    /// </summary>
    public bool CpuSimd { get; set; } = true;

    /// <summary>
    /// SIMD CPU backend: drop at binning the tiles, and in the kernel the box pixels, that a Gaussian's alpha footprint
    /// (the ellipse where opacity * exp(-sigma) can reach <see cref="MinAlpha"/>, see <see cref="AlphaFootprint"/>) does not
    /// reach. Bit-identical output (the dropped pairs composite nothing). On by default since s30: it cuts the (tile, Gaussian)
    /// pairs by 25-29 % and the vector lanes visited by 22 %, and once the binning computed each footprint once and on all
    /// cores it won at both 10K Gaussians / 256 px and 100K / 512 px in the same benchmark runs (Graphics README, s30;
    /// in s29, with the footprint computed twice per Gaussian on one core, its binning cost ate the gain).
    /// </summary>
    public bool CullByAlphaFootprint { get; set; } = true;

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        if (TileSize < 1 || TileSize > 64) throw new ArgumentOutOfRangeException(nameof(TileSize), "TileSize must be in 1..64.");
        if (ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(ChunkSize));
        if (MaxChunkElements < 0) throw new ArgumentOutOfRangeException(nameof(MaxChunkElements));
        if (NearPlane <= 0 || FarPlane <= NearPlane) throw new ArgumentOutOfRangeException(nameof(NearPlane));
        if (MaxAlpha <= 0 || MaxAlpha >= 1) throw new ArgumentOutOfRangeException(nameof(MaxAlpha));
        if (MinAlpha < 0 || MinAlpha >= MaxAlpha) throw new ArgumentOutOfRangeException(nameof(MinAlpha));
        if (MinTransmittance < 0 || MinTransmittance >= 1) throw new ArgumentOutOfRangeException(nameof(MinTransmittance));
    }
}

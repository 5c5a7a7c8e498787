using FaceCraft4D.Graphics.Cameras;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Differentiable tile-based 3D Gaussian splatting (3DGS semantics, Kerbl et al. 2023; projection as gsplat):
/// <list type="number">
/// <item>EWA projection (<see cref="GaussianProjection"/>; fused per-Gaussian loops on the SIMD CPU backend): covariance from scale and (w,x,y,z) quaternion, Jacobian of the
/// pinhole projection, 2D covariance + <see cref="RasterizerOptions.LowPassFilter"/> on the diagonal, conic, per-axis radii;</item>
/// <item>colour from spherical harmonics evaluated at (mean - camera centre) + 0.5, clamped at 0, or precomputed colours;</item>
/// <item>binning into <see cref="RasterizerOptions.TileSize"/> tiles, each list sorted by depth (<see cref="TileBinning"/>);</item>
/// <item>front-to-back compositing: alpha = min(MaxAlpha, opacity * exp(-sigma)), skipped below MinAlpha, stop before the
/// transmittance would reach MinTransmittance, background times the remaining transmittance.</item>
/// </list>
/// Gradients reach means, quaternions, scales, opacities and SH coefficients or colours through TorchSharp autograd
/// and a custom autograd function for the compositing step. Works on any device: the compositing kernel is chosen by
/// <see cref="RasterizerOptions.Backend"/>.
/// </summary>
public sealed class GaussianRasterizer
{
    private readonly ICompositorKernel _tensorKernel = new TensorCompositorKernel();
    private readonly ICompositorKernel _cpuKernel = new ManagedCpuCompositorKernel();
    private readonly ICompositorKernel _simdKernel = new SimdCpuCompositorKernel();

    /// <summary>Creates a rasterizer.</summary>
    public GaussianRasterizer(RasterizerOptions? options = null)
    {
        Options = options ?? new RasterizerOptions();
        Options.Validate();
    }

    /// <summary>The options in use.</summary>
    public RasterizerOptions Options { get; }

    /// <summary>When set, every phase of <see cref="Render"/> (and the compositing backward) adds its wall-clock time here.</summary>
    public RasterizerPhaseTimes? PhaseTimes { get; set; }

    /// <summary>Renders Gaussians into a camera.</summary>
    /// <param name="gaussians">World-space Gaussians (SH or precomputed colours).</param>
    /// <param name="camera">The camera (OpenCV convention, world-to-camera).</param>
    /// <param name="background">Background colour [C] (same channel count as the colours); black when null.</param>
    public RenderOutput Render(SplatGaussians gaussians, Camera camera, Tensor? background = null)
    {
        ArgumentNullException.ThrowIfNull(gaussians);
        ArgumentNullException.ThrowIfNull(camera);
        var means = gaussians.Means;
        var device = means.device;
        var dtype = means.dtype;
        long n = means.shape[0];
        if (means.ndim != 2 || means.shape[1] != 3) throw new ArgumentException("Means must be [N, 3].", nameof(gaussians));

        var times = PhaseTimes;
        var kernel = SelectKernel(device);
        // The SIMD CPU backend also fuses projection and SH into per-Gaussian loops with analytic backward passes.
        bool fused = kernel == _simdKernel;
        if (fused && device.type != DeviceType.CPU)
            throw new InvalidOperationException($"The SimdCpu rasterizer backend needs CPU tensors, got {device.type}; use TensorOps or Auto on other devices.");
        var phase = times?.Start(RasterizerPhase.Projection);
        var projection = fused
            ? FusedProjectionFunction.Project(means, gaussians.Quaternions, gaussians.Scales, camera, Options, times)
            : GaussianProjection.Project(means, gaussians.Quaternions, gaussians.Scales, camera, Options);
        if (projection.Means2d.requires_grad) projection.Means2d.retain_grad();
        phase?.Dispose();
        phase = times?.Start(RasterizerPhase.Colors);

        Tensor colors;
        if (gaussians.Colors is not null)
        {
            colors = gaussians.Colors;
            if (colors.ndim != 2 || colors.shape[0] != n) throw new ArgumentException("Colors must be [N, C].", nameof(gaussians));
        }
        else if (gaussians.ShCoefficients is not null)
        {
            if (fused)
            {
                using var centre = camera.PositionTensor(device, dtype);
                colors = FusedShColorFunction.Colors(gaussians.ShDegree, means, gaussians.ShCoefficients, centre, Options.CpuThreads, times);
            }
            else
            {
                colors = gaussians.ColorsFor(camera);
            }
        }
        else
        {
            throw new ArgumentException("Gaussians need either SH coefficients or colours.", nameof(gaussians));
        }

        phase?.Dispose();
        phase = times?.Start(RasterizerPhase.Binning);
        var bins = kernel == _simdKernel
            ? ManagedTileBinning.Bin(projection.Means2d, projection.Radii, projection.Depths, camera.Width, camera.Height, Options.TileSize,
                Options.CullByAlphaFootprint ? projection.Conics : null, gaussians.Opacities, Options.MinAlpha, Options.CpuThreads)
            : TileBinning.Bin(projection.Means2d, projection.Radii, projection.Depths, camera.Width, camera.Height, Options.TileSize);
        phase?.Dispose();
        phase = times?.Start(RasterizerPhase.Glue);
        long channels = colors.shape[1];
        var bg = background is null ? torch.zeros(channels, dtype, device) : background.to(device).to_type(dtype);
        if (bg.numel() != channels) throw new ArgumentException($"Background needs {channels} values.", nameof(background));
        // Depth is composited as one more feature channel with background 0.
        var features = torch.cat(new[] { colors, projection.Depths.unsqueeze(1) }, 1);
        var bgFeatures = torch.cat(new[] { bg.flatten(), torch.zeros(1, dtype, device) });
        var setup = new CompositeSetup { Bins = bins, Radii = projection.Radii, Options = Options, Kernel = kernel, PhaseTimes = times };
        var opacities = gaussians.Opacities.reshape(n);
        phase?.Dispose();
        // The composite function times its own forward and backward.
        var outputs = GaussianCompositeFunction.apply(projection.Means2d, projection.Conics, opacities, features, bgFeatures, setup);
        phase = times?.Start(RasterizerPhase.Glue);
        var imageAll = outputs[0];
        var output = new RenderOutput
        {
            Image = imageAll.narrow(2, 0, channels).contiguous(),
            Depth = imageAll.select(2, channels).contiguous(),
            Alpha = outputs[1],
            Projection = projection,
            Colors = colors,
            Bins = bins,
        };
        phase?.Dispose();
        return output;
    }

    private ICompositorKernel SelectKernel(Device device) => Options.Backend switch
    {
        RasterizerBackend.TensorOps => _tensorKernel,
        RasterizerBackend.ManagedCpu => _cpuKernel,
        RasterizerBackend.SimdCpu => _simdKernel,
        _ => device.type == DeviceType.CPU ? _simdKernel : _tensorKernel,
    };
}

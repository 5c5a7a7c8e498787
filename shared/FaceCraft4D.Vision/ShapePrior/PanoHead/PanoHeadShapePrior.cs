using System.Diagnostics;
using System.Numerics;
using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Weights;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// The <c>panohead</c> shape prior (paper 3.1): the portrait inverted into PanoHead (latent optimisation, then
/// pivotal tuning of a copy of the generator), then rendered from every orbit camera with its depth and opacity.
/// The FLAME fit, the orbit, the head mesh and its colours come from the template prior, so both backends give
/// later stages the same kind of head and cameras; only the views (and their depth) come from the GAN.
/// </summary>
public sealed class PanoHeadShapePrior : IShapePrior, IDisposable
{
    /// <summary>Backend name.</summary>
    public const string BackendName = "panohead";

    private readonly TemplateShapePrior template;
    private readonly TriGridGenerator baseline;
    private readonly LpipsNetwork lpips;
    private readonly PanoHeadShapePriorOptions options;
    private readonly Device device;
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    /// <summary>Builds the networks and loads the converted weights strictly by their official names.</summary>
    /// <exception cref="WeightLoadException">The weights do not match the network.</exception>
    public PanoHeadShapePrior(TemplateShapePrior template, InMemorySafeTensors generatorWeights, InMemorySafeTensors lpipsWeights,
        PanoHeadConfig config, PanoHeadShapePriorOptions options)
    {
        this.template = template ?? throw new ArgumentNullException(nameof(template));
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        device = torch.device(options.Device);
        var c = config with { NeuralRenderingResolution = options.NeuralRenderingResolution };
        baseline = new TriGridGenerator(c);
        StateDictLoader.Load(baseline, generatorWeights, "panohead generator");
        baseline.to(device).eval();
        lpips = LpipsWeights.Load(lpipsWeights);
        lpips.to(device).eval();
    }

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public async Task<ShapePriorResult> RunAsync(ShapePriorInput input, ShapePriorRequest request, CancellationToken cancellationToken)
    {
        var head = await template.RunAsync(input, request, cancellationToken).ConfigureAwait(false);
        await oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => Run(input, request, head, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    private ShapePriorResult Run(ShapePriorInput input, ShapePriorRequest request, ShapePriorResult head, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var config = baseline.Config;
        var frame = PanoHeadFrame.ForReference(head.Head.ReferenceCamera, head.OrbitPivot, config.AverageCameraRadius);
        using var tuned = new TriGridGenerator(config);
        tuned.to(device);
        tuned.load_state_dict(baseline.state_dict());
        using var scope = torch.NewDisposeScope();
        var target = ToTensor(input.Crop.Resize(config.ImageResolution, config.ImageResolution));
        var c = torch.tensor(frame.Label(head.Head.ReferenceCamera.Resized(config.ImageResolution, config.ImageResolution)), device: device).unsqueeze(0);
        var inversion = new PanoHeadInverter(options.Inversion).Invert(tuned, lpips, target, c, request.Seed, ct);
        double inversionSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var views = new List<RenderedView>();
        var white = Vector3.One;
        using (torch.no_grad())
        {
            var random = new torch.Generator((ulong)request.Seed, device);
            foreach (var view in head.Views)
            {
                ct.ThrowIfCancellationRequested();
                using var viewScope = torch.NewDisposeScope();
                var label = torch.tensor(frame.Label(view.Camera), device: device).unsqueeze(0);
                var render = tuned.Synthesis(inversion.Ws, label, NoiseMode.Const, generator: random);
                var (depth, mask) = frame.DepthAndMask(render.Depth[0, 0], render.Mask[0, 0], view.Camera);
                var image = ToImage(render.Image[0]).Resize(view.Camera.Width, view.Camera.Height);
                for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++) image[x, y] = Vector3.Lerp(white, image[x, y], mask[x, y]);
                views.Add(new RenderedView(view.Camera, image, depth, mask));
            }
        }
        var metrics = head.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
        metrics["inversion_seconds"] = inversionSeconds;
        metrics["panohead_render_seconds"] = clock.Elapsed.TotalSeconds;
        metrics["inversion_initial_loss"] = inversion.InitialLoss;
        metrics["inversion_latent_loss"] = inversion.LatentLoss;
        metrics["inversion_pivotal_loss"] = inversion.PivotalLoss;
        metrics["generator_units_per_metre"] = frame.Scale;
        return new ShapePriorResult
        {
            Views = views,
            Head = head.Head,
            Eyes = head.Eyes,
            LandmarkFit = head.LandmarkFit,
            Mesh = head.Mesh,
            VertexOffsets = head.VertexOffsets,
            VertexColours = head.VertexColours,
            Texture = head.Texture,
            OrbitPivot = head.OrbitPivot,
            Colours = head.Colours,
            Backend = BackendName,
            Metrics = metrics,
            Notes = head.Notes,
        };
    }

    private Tensor ToTensor(RgbImage image) =>
        (torch.tensor(image.Data, new long[] { image.Height, image.Width, 3 }).permute(2, 0, 1).unsqueeze(0).Times(2).Minus(1)).to(device);

    private static RgbImage ToImage(Tensor chw)
    {
        var hwc = ((chw.detach().to(ScalarType.Float32).cpu().permute(1, 2, 0).Plus(1)).DividedBy(2)).Clamped(0, 1).contiguous();
        return new RgbImage((int)hwc.shape[1], (int)hwc.shape[0], hwc.data<float>().ToArray());
    }

    /// <summary>Frees the networks.</summary>
    public void Dispose()
    {
        baseline.Dispose();
        lpips.Dispose();
        oneAtATime.Dispose();
    }
}

using System.ComponentModel.DataAnnotations;
using FaceCraft4D.Coin;
using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Graphics.Training;
using TorchSharp;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// Configuration section <c>Fc4d:Training</c> of the TrainStatic and TrainCoin stages. Iteration counts, checkpoint interval
/// and render size come from the run's <c>PipelineSettings</c> (<c>StaticIterations</c>, <c>CoinIterations</c>,
/// <c>CheckpointEvery</c>, <c>RenderSize</c>); these are the worker-side knobs.
/// </summary>
public sealed class TrainingStageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Training";

    /// <summary><c>auto</c> (CUDA when available, else CPU), <c>cpu</c> or <c>cuda</c> / <c>cuda:N</c>.</summary>
    [Required] public string Device { get; set; } = "auto";

    /// <summary>
    /// COIN settings (loss weights, MLP and embedding sizes, learning rates). The stages' default evaluates the perceptual term
    /// on every iteration (<c>Fc4d:Training:Coin:PerceptualEvery</c> = 1) at <c>PerceptualWeight</c> = 0.025, on images pooled 2 x 2
    /// (<see cref="PerceptualDownsample"/>), since s30: cheaper than the full-size term on every second iteration and better on
    /// the evaluation set (docs/side-view-diagnosis.md, s30). Until s30 the term ran at full size on every second iteration at
    /// 0.05 there (s21: a train-coin iteration 156 -> 108 ms of CPU at 128 px; weight-compensated 0.05 mean lost 0.42 dB).
    /// </summary>
    public CoinOptions Coin { get; set; } = new() { PerceptualEvery = 1, PerceptualWeight = 0.025 };

    /// <summary>Train the static stage with COIN too (the image-prior views are inconsistent as well); false = plain GaussianAvatar training.</summary>
    public bool StaticUsesCoin { get; set; } = true;

    /// <summary>TrainCoin also trains on the static views (keeps the 360 degree coverage: the videos only see the frontal sources).</summary>
    public bool CoinIncludesStaticViews { get; set; } = true;

    /// <summary>
    /// Least share of the training iterations spent on the reference portrait (view 0) in both stages
    /// (<see cref="ReferenceViewWeighting"/>); 0 = drawn like every other view.
    /// </summary>
    [Range(0.0, 0.9)] public double ReferenceViewShare { get; set; } = 0.25;

    /// <summary>
    /// The last part of TrainCoin (a fraction of its iterations) that favours the reference portrait: there the portrait is drawn
    /// outright on <see cref="ReferenceFinalPhaseShare"/> of the iterations (evenly spaced, <see cref="FocusViewSchedule"/>) on top
    /// of <see cref="ReferenceViewShare"/>'s repeats in the shuffled epochs of the rest. The side views shape the avatar for most
    /// of the run; the photograph, the only real view, has the last word where the generated views disagree with it (the head
    /// model's silhouette is wider than the photo's matte). 0 = no final phase (the stage's implementation version 6).
    /// </summary>
    [Range(0.0, 0.9)] public double ReferenceFinalPhase { get; set; } = 0.5;

    /// <summary>Share of the final phase's iterations that draw the reference portrait outright (<see cref="ReferenceFinalPhase"/>).</summary>
    [Range(0.0, 1.0)] public double ReferenceFinalPhaseShare { get; set; } = 0.5;

    /// <summary>Whether TrainCoin runs a final reference phase (<see cref="ReferenceFinalPhase"/> and its share both above 0).</summary>
    public bool HasReferenceFinalPhase => ReferenceFinalPhase > 0 && ReferenceFinalPhaseShare > 0;

    /// <summary>
    /// Train view 0 (the photograph) at the crop's resolution (<c>CropSize</c>, its camera resized to match) instead of
    /// RenderSize: the avatar is evaluated at 512 px against the photo, and a 128 px target throws its detail away. Costs
    /// one larger render per reference draw.
    /// </summary>
    public bool ReferenceAtCropSize { get; set; } = true;

    /// <summary>Gaussians created per FLAME triangle at the start of TrainStatic.</summary>
    [Range(1, 64)] public int GaussiansPerTriangle { get; set; } = 1;

    /// <summary>Initial local scale of the Gaussians (triangle units).</summary>
    [Range(0.01, 10.0)] public double InitialLocalScale { get; set; } = 0.5;

    /// <summary>Report progress every this many iterations.</summary>
    [Range(1, 100_000)] public int ProgressEvery { get; set; } = 10;

    /// <summary>
    /// At most this many video frames are held as training images (uniformly subsampled per video). The trainer keeps its
    /// images in memory: 4608 frames of the paper preset at 512 px would take 14.5 GB as float32.
    /// </summary>
    [Range(1, 1_000_000)] public int MaxVideoFrames { get; set; } = 1536;

    /// <summary>Perceptual loss on I_C: <c>auto</c> (LPIPS-VGG16 when its weights are in the models store, else the structural substitute), <c>lpips-vgg16</c> or <c>ms-structure</c>.</summary>
    [Required] public string PerceptualLoss { get; set; } = "auto";

    /// <summary>
    /// Models-store path of the one LPIPS-VGG16 weights file (the <c>lpips</c> package's <c>LPIPS(net='vgg')</c> state dict,
    /// safetensors; shared with the PanoHead inversion and the <c>lpips</c> metric, <see cref="LpipsWeights"/>).
    /// </summary>
    [Required] public string LpipsWeightsPath { get; set; } = LpipsWeights.DefaultModelPath;

    /// <summary>
    /// Memory (MiB) for the ResNet-18 perceptual loss's target features, computed once per training target instead of in
    /// every step (<see cref="TargetFeatureCachedLoss"/>; about 5.9 MiB a 256 px target, 1.5 MiB with <see cref="PerceptualDownsample"/> 2); 0 = no cache.
    /// </summary>
    [Range(0, 65_536)] public int PerceptualTargetCacheMiB { get; set; } = 512;

    /// <summary>
    /// The ResNet-18 perceptual loss sees the render, the target and the mask average-pooled by this factor (2: a 256 px
    /// preview view goes through the network at 128 px, a quarter of its FLOPs and of the target taps' memory); the raster,
    /// L1 and D-SSIM keep the full RenderSize. 1 = the network at the render's size. Part of both training stages'
    /// implementation versions (<see cref="PerceptualScheduleVersion"/>). Measured at 2 (s30, docs/side-view-diagnosis.md): a
    /// preview training iteration from 287 to 160 ms of CPU (TrainStatic) and 228 to 140 ms (TrainCoin) in <c>bench train</c>
    /// (one torch thread). With the term on every second iteration (the old schedule) reference PSNR fell 0.06-0.81 dB on the
    /// evaluation set; with it on every iteration (<see cref="CoinOptions.PerceptualEvery"/> 1, the default with this) it rose on
    /// 5 of 6 runs (-0.07 to +0.78 dB), no static face was lost, the sample's seed 9701 gained its -60 face, and the quiet
    /// preview run took 85.6 s against 146 s.
    /// </summary>
    [Range(1, 8)] public int PerceptualDownsample { get; set; } = 2;

    /// <summary>
    /// What the perceptual term's schedule adds to the training stages' implementation versions:
    /// <see cref="PerceptualDownsample"/> k adds 10 x (k - 1); <see cref="CoinOptions.PerceptualEvery"/> adds 0 at 2 (the
    /// default until s30) and 100 x k otherwise (the default since s30, every iteration, adds 100).
    /// </summary>
    public int PerceptualScheduleVersion => (10 * (PerceptualDownsample - 1)) + (Coin.PerceptualEvery == 2 ? 0 : 100 * Coin.PerceptualEvery);

    /// <summary>Maximum number of Gaussians (densification stops adding beyond it).</summary>
    [Range(1, 100_000_000)] public long MaxGaussians { get; set; } = 500_000;

    /// <summary>Views shown in the training preview sheet (target | with offsets | consistent).</summary>
    [Range(0, 96)] public int PreviewViews { get; set; } = 4;

    /// <summary>The torch device to train on.</summary>
    public torch.Device ResolveDevice() => ResolveDevice(Device);

    /// <summary>
    /// A device name as the stage options take it: <c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, or <c>cuda</c> / <c>cuda:N</c>
    /// (<see cref="BackendUnavailableException"/> when this worker has no CUDA).
    /// </summary>
    public static torch.Device ResolveDevice(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
        "cpu" => torch.CPU,
        var d when d.StartsWith("cuda", StringComparison.Ordinal) => torch.cuda.is_available()
            ? new torch.Device(d)
            : throw new BackendUnavailableException($"Device '{name}' asked for, but CUDA is not available in this worker."),
        _ => throw new InvalidOperationException($"Unknown device '{name}' (use auto, cpu or cuda[:N])."),
    };

    /// <summary>Checks the ranges (and the COIN settings); throws <see cref="ValidationException"/>.</summary>
    public TrainingStageOptions Validated()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        Coin.Validated();
        return this;
    }
}

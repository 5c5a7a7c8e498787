using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Coin;

/// <summary>
/// Settings of COIN (Consistent-Inconsistent training, FaceCraft4D paper 3.4), bindable from configuration. The loss of one
/// step is <c>(1 - DssimWeight) L1(I_IC, I*) + DssimWeight (1 - SSIM(I_IC, I*)) + PerceptualWeight P(I_C, I*) +
/// OffsetL1Weight mean|c_offset|</c>, where I_IC is rendered with <c>c* = c + c_offset</c>, I_C with the consistent colour c
/// alone, and P is the perceptual loss (LPIPS when its weights are present, otherwise the structural substitute).
/// <see cref="Paper"/> gives the paper's formulation exactly (0.8 / 0.2 / 0.05 / 1.0, offsets straight from the MLP); the
/// defaults keep its photometric and perceptual weights and change two things, measured on synthetic heads with known truth
/// (FaceCraft4D.Coin README, CoinClaimTests):
/// <list type="bullet">
/// <item><see cref="OffsetL1Weight"/> 0.3 instead of 1.0. mean|c_offset| is averaged over the Gaussians and the photometric L1
/// over the pixels, so an offset lowers the loss only while <c>OffsetL1Weight &lt; (1 - DssimWeight) x</c> its Gaussian's share
/// of the image, on average the view's foreground fraction (0.4-0.5 for the orbit views). At 1.0 the optimum is c_offset = 0
/// and COIN is plain training plus the perceptual term (synthetic test: mean |c_offset| 0.0015, +0.55 dB over plain on
/// inconsistent views against +1.66 dB with the defaults).</item>
/// <item><see cref="CentreOffsets"/>: c_offset of view k minus the mean over all views' embeddings. Offsets then model only what
/// differs between views; without it a low offset weight lets the MLP (which sees c and e_g) take over view-independent
/// appearance early in training and the consistent model falls behind plain training on consistent views (preview-sized
/// run from grey Gaussians: -9.5 dB after 200 iterations at offset weight 0.1 uncentred; -0.4 dB centred at 0.3).</item>
/// </list>
/// </summary>
public sealed class CoinOptions
{
    /// <summary>Train the colour-offset MLP (false = plain GaussianAvatar training, no I_C render, no offsets).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Width of the learnable per-view embedding e_view.</summary>
    [Range(1, 1024)] public int EmbeddingDimension { get; set; } = 32;

    /// <summary>Hidden width of the 2-layer MLP.</summary>
    [Range(1, 4096)] public int HiddenDimension { get; set; } = 64;

    /// <summary>Frequencies of the per-Gaussian position embedding e_g (sin/cos of 2^k pi x, k &lt; L, plus x itself: 3 + 6L values).</summary>
    [Range(0, 16)] public int PositionFrequencies { get; set; } = 4;

    /// <summary>Weight of 1 - SSIM on I_IC (the L1 weight on I_IC is 1 - this: the paper's 0.8 / 0.2).</summary>
    [Range(0.0, 1.0)] public double DssimWeight { get; set; } = 0.2;

    /// <summary>Weight of the perceptual loss on the consistent render I_C (paper: 0.05 LPIPS).</summary>
    [Range(0.0, 100.0)] public double PerceptualWeight { get; set; } = 0.05;

    /// <summary>
    /// The perceptual term is evaluated on every this-many-th iteration only (iterations 1, 1 + k, 1 + 2k, ...), weighted by
    /// <c>PerceptualEvery x PerceptualWeight</c> there, so its mean weight per iteration stays <see cref="PerceptualWeight"/>. On
    /// the other iterations neither the network nor the consistent render I_C is computed (the offsets' L1 term still is).
    /// 1 = every iteration (paper). The ResNet-18 perceptual network is about half of a preview iteration on the CPU.
    /// </summary>
    [Range(1, 1000)] public int PerceptualEvery { get; set; } = 1;

    /// <summary>Weight of L1(c_offset, 0), the mean absolute offset over all Gaussians and channels (paper: 1.0; see the class remarks).</summary>
    [Range(0.0, 100.0)] public double OffsetL1Weight { get; set; } = 0.3;

    /// <summary>
    /// Centre the offsets over the views: c_offset(k) = MLP(e_k, c, e_g) - mean_j MLP(e_j, c, e_g) over all V embeddings
    /// (V evaluations of the second half of the MLP per step; the first layer's colour/position part is shared). Paper: false.
    /// </summary>
    public bool CentreOffsets { get; set; } = true;

    /// <summary>Fraction of a stage's iterations trained without offsets (c* = c) before COIN starts.</summary>
    [Range(0.0, 1.0)] public double WarmupFraction { get; set; }

    /// <summary>Adam learning rate of the MLP weights.</summary>
    [Range(0.0, 1.0)] public double MlpLearningRate { get; set; } = 1e-3;

    /// <summary>Adam learning rate of the per-view embeddings.</summary>
    [Range(0.0, 1.0)] public double EmbeddingLearningRate { get; set; } = 1e-3;

    /// <summary>The view whose embedding is used at inference for every camera (paper: the reference view, 0).</summary>
    [Range(0, 4096)] public int ReferenceView { get; set; }

    /// <summary>Standard deviation of the initial embeddings (nn.Embedding-style normal initialisation).</summary>
    [Range(0.0, 10.0)] public double EmbeddingInitStd { get; set; } = 1.0;

    /// <summary>Bound of the uniform initialisation of the MLP's output layer, so that offsets start near zero.</summary>
    [Range(0.0, 1.0)] public double OutputInitBound { get; set; } = 1e-3;

    /// <summary>The paper's loss weights exactly: 0.8 L1 + 0.2 D-SSIM on I_IC, 0.05 perceptual on I_C, 1.0 L1(c_offset, 0).</summary>
    public static CoinOptions Paper() => new() { DssimWeight = 0.2, PerceptualWeight = 0.05, OffsetL1Weight = 1.0, CentreOffsets = false };

    /// <summary>Checks the ranges; throws <see cref="ValidationException"/>.</summary>
    public CoinOptions Validated()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        return this;
    }
}

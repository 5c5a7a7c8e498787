using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.GpuWorker.Diagnostics;

/// <summary>
/// Start-up self-check: whether this CPU's float32 conv2d / conv3d are wrong on input channels that are not a multiple
/// of 16 (libtorch 2.10 / oneDNN 3.7.1 on some AVX-512 CPUs, see <see cref="ChannelAlignedConvolution"/>), measured once
/// in the background against float64, logged (a warning when affected) and reported by <c>/healthz</c> so operators learn
/// whether their CPU is affected. The code base routes the convolutions whose shapes can hit it through the
/// channel-aligned form either way; the check also confirms that form is right here.
/// </summary>
public sealed class ConvolutionSelfCheck(ILogger<ConvolutionSelfCheck> logger) : BackgroundService
{
    private volatile UnalignedConvolutionCheck? result;
    private volatile string? failure;

    /// <summary>The measurement, or null before it has run (or when it failed: <see cref="Failure"/>).</summary>
    public UnalignedConvolutionCheck? Result => result;

    /// <summary>Why the check could not run, if it could not.</summary>
    public string? Failure => failure;

    /// <summary>What <c>/healthz</c> shows (see <see cref="Describe"/>).</summary>
    public object Report() => result is { } r ? Describe(r) : new { status = failure is null ? "pending" : "failed", detail = failure };

    /// <summary>
    /// A check as JSON: status, the errors relative to float64 (a result with NaN or infinity, which the bug can give, is
    /// reported as the string "non-finite": JSON has no infinity).
    /// </summary>
    public static object Describe(UnalignedConvolutionCheck r) => new
    {
        status = r.Conv2dAffected || r.Conv3dAffected ? "affected" : "unaffected",
        conv2dRelativeError = Json(r.Conv2dError),
        conv3dRelativeError = Json(r.Conv3dError),
        alignedRelativeError = Json(Math.Max(r.Conv2dAlignedError, r.Conv3dAlignedError)),
        alignedCorrect = r.AlignedCorrect,
    };

    private static object Json(double error) => double.IsFinite(error) ? error : "non-finite";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var check = await Task.Run(UnalignedConvolutionCheck.Run, stoppingToken).ConfigureAwait(false);
            result = check;
            if (check.Conv2dAffected || check.Conv3dAffected || !check.AlignedCorrect)
                logger.LogWarning(
                    "This CPU's float32 convolutions are wrong on unaligned channels (relative to float64: conv2d {Conv2d:E2}, conv3d {Conv3d:E2}; channel-aligned {Aligned:E2}); the code base pads channels to multiples of 16 where its shapes can hit this.",
                    check.Conv2dError, check.Conv3dError, Math.Max(check.Conv2dAlignedError, check.Conv3dAlignedError));
            else
                logger.LogInformation("Convolution self-check: conv2d {Conv2d:E2}, conv3d {Conv3d:E2} relative to float64 (unaffected).",
                    check.Conv2dError, check.Conv3dError);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = e.Message;
            logger.LogWarning(e, "Convolution self-check failed.");
        }
    }
}

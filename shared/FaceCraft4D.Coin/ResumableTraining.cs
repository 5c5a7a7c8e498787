using System.Diagnostics;
using FaceCraft4D.Graphics.Training;

namespace FaceCraft4D.Coin;

/// <summary>
/// Runs a <see cref="GaussianTrainer"/> as a long job that survives being stopped: before training it loads the job's last
/// saved state from an <see cref="ITrainingStateStore"/> (only a state saved by the same job, see
/// <see cref="TrainingStateHeader.Job"/>) and continues from its iteration; while training it saves the state every
/// <see cref="TrainingOptions.CheckpointInterval"/> iterations and at the end; when cancelled (job cancelled, worker
/// shutting down) it saves the state once more before rethrowing. Resuming reproduces the uninterrupted run on the same
/// machine (the trainer's checkpoint holds Adam moments, RNG state and view order).
/// </summary>
public sealed class ResumableTraining(GaussianTrainer trainer, ITrainingStateStore store, string job, CoinTrainingHooks? coin = null)
{
    /// <summary>How long the save on cancellation may take.</summary>
    public TimeSpan CancellationSaveTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Loads the job's saved state if there is one, trains to the end, saves, and reports progress.</summary>
    /// <exception cref="OperationCanceledException">Cancelled (after the state was saved).</exception>
    public async Task<TrainingRunResult> RunAsync(IProgress<TrainingReport>? progress, CancellationToken cancellationToken)
    {
        int? resumedFrom = null;
        string? ignored = null;
        var saved = await store.TryReadAsync(cancellationToken).ConfigureAwait(false);
        if (saved is not null)
        {
            try
            {
                var (header, checkpoint) = TrainingStateFile.Unpack(saved);
                if (header.Job != job)
                {
                    ignored = $"state of another job ({TrainingStateFile.Describe(header)})";
                }
                else
                {
                    using var stream = new MemoryStream(checkpoint.ToArray(), writable: false);
                    await trainer.LoadCheckpointAsync(stream, cancellationToken).ConfigureAwait(false);
                    resumedFrom = trainer.Iteration;
                }
            }
            catch (InvalidDataException e)
            {
                ignored = $"unreadable state: {e.Message}";
            }
        }

        int total = trainer.Options.Iterations;
        int startIteration = trainer.Iteration;
        int written = 0;
        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
        var reporter = new Reporter(r =>
        {
            last = Figures(r, coin?.Last);
            int done = r.Iteration - startIteration;
            double? eta = done > 0 ? clock.Elapsed.TotalSeconds / done * (total - r.Iteration) : null;
            progress?.Report(new TrainingReport(r.Iteration, total, last, eta, resumedFrom));
        });
        if (resumedFrom is not null) progress?.Report(new TrainingReport(trainer.Iteration, total, last, null, resumedFrom));

        async Task SaveAsync(string reason, CancellationToken ct)
        {
            using var stream = new MemoryStream();
            await trainer.SaveCheckpointAsync(stream, ct).ConfigureAwait(false);
            var header = new TrainingStateHeader(job, trainer.Iteration, total, reason, DateTimeOffset.UtcNow);
            await store.WriteAsync(TrainingStateFile.Pack(header, stream.GetBuffer().AsSpan(0, (int)stream.Length)), ct).ConfigureAwait(false);
            written++;
        }

        try
        {
            await trainer.TrainAsync(reporter, (t, ct) => SaveAsync(t.Iteration >= total ? "final" : "periodic", ct), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (trainer.Last is null && trainer.Iteration >= total && written == 0) await SaveAsync("final", cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Between iterations the trainer's state is whole: keep it, whatever the caller's token says now.
            using var timeout = new CancellationTokenSource(CancellationSaveTimeout);
            await SaveAsync("cancelled", timeout.Token).ConfigureAwait(false);
            throw;
        }

        return new TrainingRunResult(trainer.Iteration, resumedFrom, ignored, written, clock.Elapsed, last);
    }

    /// <summary>Named figures of a trainer step and the COIN terms.</summary>
    public static IReadOnlyDictionary<string, double> Figures(TrainingProgress step, CoinStepFigures? coin)
    {
        var figures = new Dictionary<string, double>
        {
            ["loss"] = step.Loss,
            ["l1"] = step.L1,
            ["dssim"] = step.DSsim,
            ["psnr"] = step.Psnr,
            ["gaussians"] = step.GaussianCount,
        };
        if (step.Regularization != 0) figures["regularization"] = step.Regularization;
        if (coin is not null)
        {
            figures["perceptual"] = coin.Perceptual;
            figures["offset_l1"] = coin.OffsetL1;
            figures["consistent_psnr"] = coin.ConsistentPsnr;
        }
        return figures;
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

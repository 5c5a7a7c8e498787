using FaceCraft4D.Priors;
using FaceCraft4D.Priors.LivePortrait;
using FaceCraft4D.Weights;
using FaceCraft4D.Stages.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// The worker's LivePortrait networks, loaded once from the models store (<see cref="AnimationStageOptions.LivePortraitPath"/>;
/// a local models folder is used in place, blobs are copied to a local cache first). Without the weights every call
/// answers <see cref="BackendUnavailableException"/> naming what is missing. One animation at a time per worker
/// (<see cref="RunExclusiveAsync"/>): LivePortrait instances are not thread-safe.
/// </summary>
public sealed class LivePortraitProvider : IDisposable
{
    private static readonly string[] Required =
    [
        LivePortraitModelFolder.AppearanceFeatureExtractor, LivePortraitModelFolder.MotionExtractor, LivePortraitModelFolder.WarpingModule,
        LivePortraitModelFolder.SpadeGenerator, LivePortraitModelFolder.StitchingRetargetingModule,
    ];

    private readonly AsyncOnce<LivePortraitAnimator> animator;
    private readonly SemaphoreSlim exclusive = new(1, 1);

    /// <summary>Creates the provider (nothing is loaded yet).</summary>
    public LivePortraitProvider(ModelStore store, IOptions<AnimationStageOptions> options, ILogger<LivePortraitProvider> logger)
    {
        var o = options.Value;
        animator = new AsyncOnce<LivePortraitAnimator>(async ct =>
        {
            var folder = await LocateAsync(store, o, ct).ConfigureAwait(false);
            LivePortraitAnimator loaded;
            try
            {
                var config = await LivePortraitModelConfig.ReadAsync(folder, ct).ConfigureAwait(false);
                loaded = await LivePortraitAnimator.LoadAsync(folder, torch.device(o.Device), new LivePortraitLoadOptions { Config = config }, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WeightLoadException or ModelFolderException or InvalidDataException or NotSupportedException)
            {
                throw new BackendUnavailableException(
                    $"The LivePortrait weights at {folder} do not match the networks of their {LivePortraitModelFolder.ModelsYaml}: {e.Message}");
            }
            logger.LogInformation("Loaded LivePortrait {Backend} from {Folder}", loaded.Backend, folder);
            return loaded;
        });
    }

    private LivePortraitProvider(LivePortraitAnimator loaded) => animator = new AsyncOnce<LivePortraitAnimator>(_ => Task.FromResult(loaded));

    /// <summary>A provider of an animator built elsewhere (tests with tiny random networks, other weight sources); owns it.</summary>
    public static LivePortraitProvider ForAnimator(LivePortraitAnimator loaded) => new(loaded ?? throw new ArgumentNullException(nameof(loaded)));

    /// <summary>Runs <paramref name="work"/> with the loaded animator, one call at a time.</summary>
    /// <exception cref="BackendUnavailableException">The weights are not in the models store.</exception>
    public async Task<T> RunExclusiveAsync<T>(Func<LivePortraitAnimator, T> work, CancellationToken cancellationToken)
    {
        var loaded = await animator.GetAsync(cancellationToken).ConfigureAwait(false);
        await exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => work(loaded), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            exclusive.Release();
        }
    }

    private static async Task<string> LocateAsync(ModelStore store, AnimationStageOptions o, CancellationToken ct)
    {
        var prefix = o.LivePortraitPath.TrimEnd('/');
        var missing = new List<string>();
        string? localFolder = null;
        var cache = Path.Combine(o.LivePortraitCache ?? Path.Combine(Path.GetTempPath(), "fc4d-models"), prefix.Replace('/', Path.DirectorySeparatorChar));
        foreach (var file in Required.Append(LivePortraitModelFolder.ModelsYaml))
        {
            var opened = await store.TryOpenAsync($"{prefix}/{file}", ct).ConfigureAwait(false);
            if (opened is null)
            {
                if (file != LivePortraitModelFolder.ModelsYaml) missing.Add(file);
                continue;
            }
            await using var stream = opened.Value.Stream;
            if (File.Exists(opened.Value.Source))
            {
                localFolder ??= Path.GetDirectoryName(opened.Value.Source);
                continue;
            }
            Directory.CreateDirectory(cache);
            var target = Path.Combine(cache, file);
            await using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await stream.CopyToAsync(output, ct).ConfigureAwait(false);
        }
        if (missing.Count > 0)
            throw new BackendUnavailableException(
                $"The liveportrait video prior needs the converted LivePortrait weights at {store.Describe(prefix + "/")} " +
                $"(missing: {string.Join(", ", missing)}; conversion recipe in shared/FaceCraft4D.Priors/README.md). " +
                "Use VideoPriorBackend 'rig', or put the weights in the models store.");
        return localFolder ?? cache;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        animator.Dispose();
        exclusive.Dispose();
    }
}

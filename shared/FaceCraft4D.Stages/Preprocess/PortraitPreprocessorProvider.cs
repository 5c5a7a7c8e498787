using FaceCraft4D.Vision.Preprocessing;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.Preprocess;

/// <summary>
/// The worker's one <see cref="IPortraitPreprocessor"/> (face-api.js networks loaded once, on first use, with the
/// options of configuration section <c>Fc4d:Preprocess</c>). Missing weights are a deployment problem:
/// <see cref="BackendUnavailableException"/>.
/// </summary>
public sealed class PortraitPreprocessorProvider : IDisposable
{
    /// <summary>Configuration section of <see cref="PreprocessOptions"/>.</summary>
    public const string SectionName = "Fc4d:Preprocess";

    private readonly AsyncOnce<IPortraitPreprocessor> preprocessor;

    /// <summary>Creates the provider (nothing is loaded yet).</summary>
    public PortraitPreprocessorProvider(IOptions<PreprocessOptions> options)
    {
        Options = options.Value;
        preprocessor = new AsyncOnce<IPortraitPreprocessor>(async ct =>
        {
            try
            {
                return await PortraitPreprocessorFactory.CreateAsync(Options, ct).ConfigureAwait(false);
            }
            catch (PreprocessException e) when (!e.IsUserError)
            {
                throw new BackendUnavailableException($"The face detector weights are not available in this worker: {e.Message}");
            }
        });
    }

    /// <summary>The configured options (per-job copies change the crop size).</summary>
    public PreprocessOptions Options { get; }

    /// <summary>The preprocessor, loaded on the first call.</summary>
    public Task<IPortraitPreprocessor> GetAsync(CancellationToken cancellationToken) => preprocessor.GetAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => preprocessor.Dispose();
}

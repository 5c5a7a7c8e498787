using FaceCraft4D.Vision.Preprocessing;

namespace FaceCraft4D.Vision.Tests;

/// <summary>Loads the real-weight preprocessor once per test class.</summary>
public sealed class PreprocessorFixture : IDisposable
{
    private readonly Lazy<IPortraitPreprocessor> preprocessor;

    public PreprocessorFixture()
    {
        preprocessor = new Lazy<IPortraitPreprocessor>(() =>
        {
            var options = new PreprocessOptions { FaceModelsPath = TestAssets.RequireModels() };
            return PortraitPreprocessorFactory.CreateAsync(options, CancellationToken.None).GetAwaiter().GetResult();
        });
    }

    public IPortraitPreprocessor Preprocessor => preprocessor.Value;

    public static PreprocessOptions Options(Action<PreprocessOptions>? tweak = null)
    {
        var o = new PreprocessOptions { FaceModelsPath = TestAssets.RequireModels() };
        tweak?.Invoke(o);
        return o;
    }

    public void Dispose()
    {
        if (preprocessor.IsValueCreated) preprocessor.Value.Dispose();
    }
}

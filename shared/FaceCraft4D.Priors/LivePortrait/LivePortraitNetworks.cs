using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>The five LivePortrait networks on one device, in evaluation mode. Owns them.</summary>
public sealed class LivePortraitNetworks : IDisposable
{
    public LivePortraitNetworks(string name, LivePortraitConfig config, AppearanceFeatureExtractor appearance, MotionExtractor motion,
        WarpingNetwork warping, SpadeGenerator generator, StitchingRetargetingModule? stitching, Device device)
    {
        Name = name;
        Config = config;
        AppearanceFeatureExtractor = appearance;
        MotionExtractor = motion;
        WarpingModule = warping;
        SpadeGenerator = generator;
        StitchingRetargeting = stitching;
        Device = device;
        foreach (var m in Modules()) m.eval();
    }

    /// <summary>Builds all networks with deterministic random weights (tests and benchmarks only).</summary>
    public static LivePortraitNetworks CreateRandom(LivePortraitConfig config, Device device, long seed)
    {
        var n = new LivePortraitNetworks("random", config, new AppearanceFeatureExtractor(config.AppearanceFeatureExtractor, device),
            new MotionExtractor(config.MotionExtractor, device), new WarpingNetwork(config.WarpingModule, device),
            new SpadeGenerator(config.SpadeGenerator, device), new StitchingRetargetingModule(config, device), device);
        long s = seed;
        foreach (var m in n.Modules()) FaceCraft4D.Priors.Modules.ModuleRandomizer.Randomize(m, s++);
        // Random u, v would make σ = uᵀWv arbitrarily small; give them the values training would (top singular pair).
        foreach (var (_, module) in n.SpadeGenerator.named_modules())
            if (module is SpectralNormConv2d conv) conv.UpdateSingularVectors();
        return n;
    }

    public string Name { get; }
    public LivePortraitConfig Config { get; }
    public AppearanceFeatureExtractor AppearanceFeatureExtractor { get; }
    public MotionExtractor MotionExtractor { get; }
    public WarpingNetwork WarpingModule { get; }
    public SpadeGenerator SpadeGenerator { get; }
    /// <summary>Null when the stitching file was not supplied (then stitching is unavailable).</summary>
    public StitchingRetargetingModule? StitchingRetargeting { get; }
    public Device Device { get; }

    public IEnumerable<nn.Module> Modules()
    {
        yield return AppearanceFeatureExtractor;
        yield return MotionExtractor;
        yield return WarpingModule;
        yield return SpadeGenerator;
        if (StitchingRetargeting is not null) yield return StitchingRetargeting;
    }

    public void Dispose()
    {
        foreach (var m in Modules()) m.Dispose();
    }
}

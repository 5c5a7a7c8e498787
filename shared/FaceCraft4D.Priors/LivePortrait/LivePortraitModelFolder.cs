namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// Layout of <c>models/liveportrait/{version}/</c>: one safetensors file per official checkpoint
/// (<c>appearance_feature_extractor</c>, <c>motion_extractor</c>, <c>warping_module</c>, <c>spade_generator</c>,
/// <c>stitching_retargeting_module</c>), keys exactly as in the <c>.pth</c> state dicts, plus an optional copy of
/// the official <c>models.yaml</c>.
/// </summary>
public static class LivePortraitModelFolder
{
    public const string AppearanceFeatureExtractor = "appearance_feature_extractor.safetensors";
    public const string MotionExtractor = "motion_extractor.safetensors";
    public const string WarpingModule = "warping_module.safetensors";
    public const string SpadeGenerator = "spade_generator.safetensors";
    public const string StitchingRetargetingModule = "stitching_retargeting_module.safetensors";
    public const string ModelsYaml = "models.yaml";

    /// <summary>Checks the folder; the stitching file is required only when <paramref name="requireStitching"/>.</summary>
    public static ModelFolderReport Inspect(string folder, bool requireStitching = true)
    {
        var found = new List<string>();
        var missing = new List<string>();
        if (!Directory.Exists(folder)) return new ModelFolderReport(folder, found, [$"the folder itself ({folder})"]);
        var required = new List<string> { AppearanceFeatureExtractor, MotionExtractor, WarpingModule, SpadeGenerator };
        if (requireStitching) required.Add(StitchingRetargetingModule);
        foreach (var rel in required)
            if (File.Exists(Path.Combine(folder, rel))) found.Add(rel); else missing.Add(rel);
        foreach (var rel in new[] { ModelsYaml, requireStitching ? null : StitchingRetargetingModule })
            if (rel is not null && File.Exists(Path.Combine(folder, rel))) found.Add(rel);
        return new ModelFolderReport(folder, found, missing);
    }
}

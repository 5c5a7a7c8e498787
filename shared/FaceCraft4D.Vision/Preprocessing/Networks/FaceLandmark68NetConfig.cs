namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>
/// Shape of a face-api.js 68-point landmark network. The official models:
/// <see cref="Full"/> (face_landmark_68_model: 4 dense blocks of 4 convs, 32/64/128/256 channels, 7x7 average pool)
/// and <see cref="Tiny"/> (face_landmark_68_tiny_model: 3 dense blocks of 3 convs, 32/64/128 channels, 14x14 pool).
/// </summary>
public sealed record FaceLandmark68NetConfig(int[] BlockChannels, int ConvsPerBlock, int InputSize = 112)
{
    public static FaceLandmark68NetConfig Full { get; } = new(new[] { 32, 64, 128, 256 }, 4);
    public static FaceLandmark68NetConfig Tiny { get; } = new(new[] { 32, 64, 128 }, 3);

    /// <summary>Side of the feature map after the dense blocks (each halves the side, TF 'same').</summary>
    public int FeatureSide
    {
        get
        {
            int s = InputSize;
            foreach (var _ in BlockChannels) s = (s + 1) / 2;
            return s;
        }
    }

    /// <summary>face-api pools with a window of the whole feature map (7 for the full, 14 for the tiny net at 112).</summary>
    public int PoolSize => FeatureSide;

    /// <summary>Mean RGB (0..255) subtracted before dividing by 255, as face-api.js does for this net.</summary>
    public static IReadOnlyList<float> MeanRgb { get; } = new[] { 122.782f, 117.001f, 104.298f };
}

namespace FaceCraft4D.Metrics.Identity;

/// <summary>
/// Shape of face-api.js FaceRecognitionNet (the dlib ResNet-34-like face descriptor): channel widths of the four
/// stages, descriptor length and input side. <see cref="Official"/> matches <c>face_recognition_model</c>;
/// smaller widths are for tests (the layer structure and weight names stay the same; each stage must double the
/// previous width because the shortcut of a down-sampling residual block zero-pads the channels).
/// </summary>
public sealed record FaceRecognitionNetConfig(int[] StageChannels, int DescriptorSize, int InputSize)
{
    /// <summary>32 / 64 / 128 / 256 channels, 128-D descriptor, 150 × 150 input.</summary>
    public static FaceRecognitionNetConfig Official { get; } = new([32, 64, 128, 256], 128, 150);

    /// <summary>face-api.js input normalisation: (v − mean) / 255 with v in 0..255, RGB.</summary>
    public static IReadOnlyList<float> MeanRgb { get; } = [122.782f, 117.001f, 104.298f];

    internal void Validate()
    {
        if (StageChannels.Length != 4) throw new ArgumentException("FaceRecognitionNet has four stages.");
        for (int i = 1; i < 4; i++)
            if (StageChannels[i] != 2 * StageChannels[i - 1])
                throw new ArgumentException("each FaceRecognitionNet stage must double the previous width (zero-padded shortcut).");
    }
}

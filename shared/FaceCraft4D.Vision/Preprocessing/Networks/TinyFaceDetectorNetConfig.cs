namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>
/// Shape of face-api.js TinyFaceDetector (a Tiny-YOLOv2 with depthwise-separable convs, one class, no class scores).
/// Official: channels 16, 32, 64, 128, 256, 512; 5 anchors; mean RGB (117.001, 114.697, 97.404); input / 255.
/// </summary>
public sealed record TinyFaceDetectorNetConfig(int[] Channels, IReadOnlyList<(float W, float H)> Anchors)
{
    public static TinyFaceDetectorNetConfig Official { get; } = new(
        new[] { 16, 32, 64, 128, 256, 512 },
        new (float, float)[]
        {
            (1.603231f, 2.094468f), (6.041143f, 7.080126f), (2.882459f, 3.518061f),
            (4.266906f, 5.178857f), (9.041765f, 10.66308f),
        });

    public static IReadOnlyList<float> MeanRgb { get; } = new[] { 117.001f, 114.697f, 97.404f };

    /// <summary>Values per anchor box: tx, ty, tw, th, objectness.</summary>
    public const int BoxEncodingSize = 5;

    public int OutputChannels => Anchors.Count * BoxEncodingSize;

    /// <summary>Total downsampling; the input side must be a multiple of it.</summary>
    public const int Stride = 32;
}

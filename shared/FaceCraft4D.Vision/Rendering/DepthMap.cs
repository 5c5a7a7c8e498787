using System.Buffers.Binary;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// Per-pixel camera depth: the z coordinate (metres) of the visible surface in the OpenCV camera frame
/// (distance along the viewing axis, not along the ray); 0 where no surface was rendered.
/// File format (<see cref="ToRawBytes"/>): float32 little-endian, row-major, no header; the width and height
/// come from the camera of the same view.
/// </summary>
public sealed class DepthMap
{
    /// <summary>Wraps depth values (length W * H, 0 = background).</summary>
    public DepthMap(int width, int height, float[] values)
    {
        Values = new FloatImage(width, height, values);
    }

    /// <summary>Width in pixels.</summary>
    public int Width => Values.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => Values.Height;

    /// <summary>Depth values (0 = background).</summary>
    public FloatImage Values { get; }

    /// <summary>Depth of pixel (x, y); 0 for background.</summary>
    public float this[int x, int y] => Values[x, y];

    /// <summary>True where a surface was rendered.</summary>
    public bool HasSurface(int x, int y) => Values[x, y] > 0;

    /// <summary>Raw float32 little-endian bytes, row-major.</summary>
    public byte[] ToRawBytes()
    {
        var bytes = new byte[Values.Data.Length * 4];
        for (int i = 0; i < Values.Data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), Values.Data[i]);
        return bytes;
    }

    /// <summary>Reads raw float32 little-endian bytes written by <see cref="ToRawBytes"/>.</summary>
    public static DepthMap FromRawBytes(ReadOnlySpan<byte> bytes, int width, int height)
    {
        if (bytes.Length != width * height * 4)
            throw new InvalidDataException($"A {width}x{height} depth map has {width * height * 4} bytes; got {bytes.Length}.");
        var values = new float[width * height];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i));
        return new DepthMap(width, height, values);
    }

    /// <summary>(min, max) over rendered pixels, or (0, 0) when there are none.</summary>
    public (float Min, float Max) Range()
    {
        float min = float.MaxValue, max = 0;
        foreach (var d in Values.Data)
        {
            if (d <= 0) continue;
            min = Math.Min(min, d);
            max = Math.Max(max, d);
        }
        return max > 0 ? (min, max) : (0, 0);
    }
}

namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>
/// MediaPipe's landmark refinement mapping for the attention model (face_landmarks_with_attention: the
/// LANDMARKS_REFINEMENT_* index lists): which of the 468 mesh points each region output replaces. x and y come from
/// the region output, z stays the mesh's; the two irises (468-472, 473-477) get the mean z of their eye's first 16
/// contour points. "Image-left" is the subject's right eye in a frontal photo.
/// </summary>
public static class FaceMeshRefinement
{
    public const int MeshCount = 468;
    public const int RefinedCount = 478;

    public static readonly int[] Lips =
    {
        61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409,
        78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415,
        76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304, 408,
        62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407,
    };

    public static readonly int[] ImageLeftEye =
    {
        33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173,
        130, 25, 110, 24, 23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190,
        226, 31, 228, 229, 230, 231, 232, 233, 244, 113, 225, 224, 223, 222, 221, 189,
        35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120, 121, 128, 245,
        156, 70, 63, 105, 66, 107, 55, 193,
    };

    public static readonly int[] ImageRightEye =
    {
        263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398,
        359, 255, 339, 254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414,
        446, 261, 448, 449, 450, 451, 452, 453, 464, 342, 445, 444, 443, 442, 441, 413,
        265, 353, 276, 283, 282, 295, 372, 340, 346, 347, 348, 349, 350, 357, 465,
        383, 300, 293, 334, 296, 336, 285, 417,
    };

    /// <summary>Eye contour points (lower 9 + upper 7) whose mean z becomes the iris depth.</summary>
    public const int IrisDepthSourceCount = 16;

    /// <summary>Merges the region outputs into the mesh: 478 x (x, y, z) in crop pixels.</summary>
    public static float[] Merge(FaceMeshRawOutput raw)
    {
        if (raw.Lips is null || raw.ImageLeftEye is null || raw.ImageRightEye is null || raw.ImageLeftIris is null || raw.ImageRightIris is null)
            throw new ArgumentException("the attention outputs (lips, eyes, irises) are needed to refine the mesh", nameof(raw));
        var p = new float[3 * RefinedCount];
        Array.Copy(raw.Mesh, p, 3 * MeshCount);
        Replace(p, raw.Lips, Lips);
        Replace(p, raw.ImageLeftEye, ImageLeftEye);
        Replace(p, raw.ImageRightEye, ImageRightEye);
        AppendIris(p, raw.Mesh, raw.ImageLeftIris, ImageLeftEye, 468);
        AppendIris(p, raw.Mesh, raw.ImageRightIris, ImageRightEye, 473);
        return p;
    }

    private static void Replace(float[] p, float[] xy, int[] indices)
    {
        if (xy.Length != 2 * indices.Length) throw new ArgumentException($"region output has {xy.Length / 2} points, the mapping {indices.Length}");
        for (int i = 0; i < indices.Length; i++)
        {
            p[3 * indices[i]] = xy[2 * i];
            p[3 * indices[i] + 1] = xy[2 * i + 1];
        }
    }

    private static void AppendIris(float[] p, float[] mesh, float[] iris, int[] eye, int first)
    {
        double z = 0;
        for (int i = 0; i < IrisDepthSourceCount; i++) z += mesh[3 * eye[i] + 2];
        z /= IrisDepthSourceCount;
        for (int i = 0; i < 5; i++)
        {
            p[3 * (first + i)] = iris[2 * i];
            p[3 * (first + i) + 1] = iris[2 * i + 1];
            p[3 * (first + i) + 2] = (float)z;
        }
    }
}

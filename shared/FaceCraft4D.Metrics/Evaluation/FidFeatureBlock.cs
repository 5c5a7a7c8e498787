namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>
/// Inception pool3 features stored compactly: row-major little-endian float32 matrices, base64-encoded
/// ([RenderCount, Dimension] and [ReferenceCount, Dimension]).
/// </summary>
public sealed record FidFeatureBlock(string Model, int Dimension, int RenderCount, int ReferenceCount, string Renders, string References)
{
    public static FidFeatureBlock Create(string model, float[][] renders, float[][] references)
    {
        int d = renders.Concat(references).Select(r => r.Length).DefaultIfEmpty(0).First();
        if (renders.Concat(references).Any(r => r.Length != d)) throw new ArgumentException("feature rows differ in length");
        return new FidFeatureBlock(model, d, renders.Length, references.Length, Encode(renders), Encode(references));
    }

    public float[][] RenderRows() => Decode(Renders, RenderCount, Dimension);

    public float[][] ReferenceRows() => Decode(References, ReferenceCount, Dimension);

    private static string Encode(float[][] rows)
    {
        var bytes = new byte[rows.Sum(r => r.Length) * 4];
        int o = 0;
        foreach (var r in rows)
            foreach (var v in r) { BitConverter.TryWriteBytes(bytes.AsSpan(o), v); o += 4; }
        return Convert.ToBase64String(bytes);
    }

    private static float[][] Decode(string base64, int count, int dimension)
    {
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length != count * dimension * 4) throw new InvalidDataException($"FID feature block holds {bytes.Length} bytes, expected {count} x {dimension} float32.");
        var rows = new float[count][];
        for (int i = 0; i < count; i++)
        {
            rows[i] = new float[dimension];
            for (int j = 0; j < dimension; j++) rows[i][j] = BitConverter.ToSingle(bytes, (i * dimension + j) * 4);
        }
        return rows;
    }
}

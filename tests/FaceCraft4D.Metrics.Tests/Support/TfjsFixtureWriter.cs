using System.Text.Json;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;

namespace FaceCraft4D.Metrics.Tests.Support;

/// <summary>
/// Writes a tfjs weights manifest + one float32 shard from a ported network's bindings (torch layout converted back
/// to the TensorFlow layout), i.e. a model file with the official names, as the face-api.js packages ship them.
/// </summary>
public static class TfjsFixtureWriter
{
    public static async Task WriteAsync(string folder, string modelName, IEnumerable<TfjsParameterBinding> bindings)
    {
        var specs = new List<object>();
        using var bin = new MemoryStream();
        foreach (var b in bindings)
        {
            using var t = b.Target.detach().cpu().to(torch.float32);
            using var tf = b.Layout switch
            {
                TfjsLayout.Identity => t.clone(),
                TfjsLayout.ConvFilter => t.permute(2, 3, 1, 0).contiguous(),      // [out, in, kh, kw] -> [kh, kw, in, out]
                TfjsLayout.DenseWeights => t.t().contiguous(),                    // [out, in] -> [in, out]
                _ => throw new NotSupportedException(b.Layout.ToString()),
            };
            var values = tf.data<float>().ToArray();
            foreach (var v in values) bin.Write(BitConverter.GetBytes(v));
            specs.Add(new { name = b.TfjsName, shape = tf.shape, dtype = "float32" });
        }
        var shard = $"{modelName}.bin";
        await File.WriteAllBytesAsync(Path.Combine(folder, shard), bin.ToArray());
        var manifest = new[] { new { paths = new[] { shard }, weights = specs } };
        await File.WriteAllTextAsync(Path.Combine(folder, $"{modelName}-weights_manifest.json"), JsonSerializer.Serialize(manifest));
    }
}

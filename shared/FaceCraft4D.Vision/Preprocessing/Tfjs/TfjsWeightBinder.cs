using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>One parameter of a ported network, named by its official tfjs weight name.</summary>
public sealed record TfjsParameterBinding(string TfjsName, TfjsLayout Layout, Tensor Target);

/// <summary>
/// Copies decoded tfjs weights into the parameters of a ported network, converting layouts.
/// Strict: every binding must find its weight with a matching shape and every weight in the
/// file must be consumed, otherwise it throws and names the offenders.
/// </summary>
public static class TfjsWeightBinder
{
    public static void Bind(IReadOnlyDictionary<string, TfjsTensor> weights, IEnumerable<TfjsParameterBinding> bindings, string modelName)
    {
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        using var _ = torch.no_grad();
        foreach (var b in bindings)
        {
            if (!weights.TryGetValue(b.TfjsName, out var w)) { missing.Add(b.TfjsName); continue; }
            using var converted = ToTorchLayout(w, b.Layout);
            var expected = b.Target.shape;
            if (!expected.SequenceEqual(converted.shape))
                throw new InvalidDataException(
                    $"{modelName}: weight '{b.TfjsName}' has tfjs shape {w.ShapeText}, which does not fit parameter shape [{string.Join(", ", expected)}] ({b.Layout}).");
            // Each temporary is disposed (held through the copy): none is left to the finalizer (docs/torchsharp-lifetimes.md).
            using var typed = converted.to(b.Target.dtype);
            using var placed = typed.to(b.Target.device);
            b.Target.copy_(placed);
            if (!consumed.Add(b.TfjsName))
                throw new InvalidOperationException($"{modelName}: weight '{b.TfjsName}' is bound twice.");
        }
        if (missing.Count > 0)
            throw new InvalidDataException($"{modelName}: the weights file lacks {missing.Count} tensor(s): {string.Join(", ", missing)}.");
        var unused = weights.Keys.Where(k => !consumed.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw new InvalidDataException($"{modelName}: {unused.Count} weight(s) in the file were not consumed by the port: {string.Join(", ", unused)}.");
    }

    /// <summary>Converts a tfjs tensor to the torch layout of <paramref name="layout"/>. Caller disposes.</summary>
    public static Tensor ToTorchLayout(TfjsTensor w, TfjsLayout layout)
    {
        var shape = w.Shape.Select(d => (long)d).ToArray();
        // The permute/contiguous intermediates belong to the scope (disposed here, not left to the finalizer); the result moves out.
        using var scope = torch.NewDisposeScope();
        var raw = torch.tensor(w.Values, shape, ScalarType.Float32);
        return (layout switch
        {
            TfjsLayout.Identity => raw.clone(),
            TfjsLayout.ConvFilter => Require(w, 4, layout).permute(3, 2, 0, 1).contiguous(),
            // [kh, kw, in, m] -> [in, m, kh, kw] -> [in*m, 1, kh, kw]; torch grouped conv output channel = in_c * m + k.
            TfjsLayout.DepthwiseFilter => Require(w, 4, layout).permute(2, 3, 0, 1).contiguous()
                .reshape(shape[2] * shape[3], 1, shape[0], shape[1]),
            TfjsLayout.DenseWeights => Require(w, 2, layout).t().contiguous(),
            _ => throw new ArgumentOutOfRangeException(nameof(layout)),
        }).MoveToOuterDisposeScope();

        Tensor Require(TfjsTensor t, int rank, TfjsLayout l) =>
            t.Shape.Length == rank ? raw : throw new InvalidDataException($"weight '{t.Name}' {t.ShapeText} is not rank {rank} as {l} needs.");
    }
}

using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin.Tests;

public sealed class CoinAppearanceTests
{
    private static (CoinAppearance Appearance, Tensor Colours, Tensor Positions) Make(bool centred = true, int n = 50, int views = 5)
    {
        var gen = new torch.Generator(5);
        var positions = torch.rand([n, 3], generator: gen).Times(0.2).Minus(0.1);
        var colours = torch.rand([n, 3], generator: gen);
        var appearance = CoinAppearance.Create(views, PositionEncoding.Fit(positions, 3),
            new CoinOptions { EmbeddingDimension = 8, HiddenDimension = 16, CentreOffsets = centred }, seed: 9);
        return (appearance, colours, positions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Offsets_are_the_two_layer_mlp_of_the_view_embedding_the_colour_and_the_position_embedding(bool centred)
    {
        var (appearance, colours, positions) = Make(centred);
        using var _ = appearance;
        using var scope = torch.NewDisposeScope();
        // Perturb the output layer so the reference check is not dominated by the near-zero initialisation.
        using (torch.no_grad())
            foreach (var p in appearance.ExtraParameters(new CoinOptions()))
                p.Tensor.PlusInPlace(torch.randn(p.Tensor.shape, generator: new torch.Generator(1)).Times(0.3));
        var file = new InMemorySafeTensors();
        appearance.WriteTo(file);
        Tensor T(string key) => file.GetTorch("coin." + key).to_type(ScalarType.Float64);
        var pe = appearance.Encoding.Encode(positions);
        Tensor Mlp(int k)
        {
            var x = torch.cat([T(CoinAppearance.EmbeddingsName)[k].unsqueeze(0).expand(colours.shape[0], -1), colours, pe], 1).to_type(ScalarType.Float64);
            var h = torch.matmul(x, T("mlp.0.weight").t()).Plus(T("mlp.0.bias"));
            return torch.matmul(h.ClampedMin(0), T("mlp.2.weight").t()).Plus(T("mlp.2.bias"));
        }
        const int view = 3;
        var expected = centred ? Mlp(view) - torch.stack(Enumerable.Range(0, 5).Select(Mlp).ToArray()).mean([0]) : Mlp(view);

        var offsets = appearance.Offsets(view, colours, pe);

        Assert.Equal([colours.shape[0], 3], offsets.shape);
        Assert.True((offsets.to_type(ScalarType.Float64) - expected).abs().max().item<double>() < 1e-5);
        if (centred)
        {
            var all = torch.stack(Enumerable.Range(0, 5).Select(k => appearance.Offsets(k, colours, pe)).ToArray());
            Assert.True(all.mean([0]).abs().max().item<float>() < 1e-6, "centred offsets average to zero over the views");
        }
        Assert.Equal(colours.Plus(offsets), appearance.Colors(view, colours, positions), new TensorComparer(1e-6));
    }

    [Fact]
    public void Offsets_start_near_zero_and_train_the_weights_and_embedding_but_not_the_base_colour()
    {
        var (appearance, colours, positions) = Make(centred: false);
        using var _ = appearance;
        using var scope = torch.NewDisposeScope();
        var baseRgb = colours.clone().requires_grad_(true);
        var offsets = appearance.Offsets(1, baseRgb, appearance.Encoding.Encode(positions));
        Assert.True(offsets.abs().max().item<float>() < 0.05, "the output layer starts small");
        offsets.sum().backward();
        Assert.True(baseRgb.grad is null || baseRgb.grad.abs().sum().item<float>() == 0, "c enters the MLP as a value");
        var parameters = appearance.ExtraParameters(new CoinOptions());
        Assert.All(parameters, p => Assert.True(p.Tensor.grad is not null && p.Tensor.grad.abs().sum().item<float>() > 0, $"{p.Name} has no gradient"));
        var rows = appearance.Embeddings.grad!.abs().sum(1);
        Assert.True(rows[1].item<float>() > 0 && rows[0].item<float>() == 0 && rows[2].item<float>() == 0, "only the used view's embedding gets a gradient");
    }

    [Fact]
    public void Written_appearance_reads_back_identically()
    {
        var (appearance, colours, positions) = Make();
        using var _ = appearance;
        var file = new InMemorySafeTensors();
        appearance.WriteTo(file);
        Assert.Equal("true", file.Metadata["coin.centred"]);
        using var copy = CoinAppearance.ReadFrom(InMemorySafeTensors.FromArray(file.ToArray()));
        Assert.Equal((appearance.ViewCount, appearance.EmbeddingDimension, appearance.HiddenDimension, appearance.ReferenceView, appearance.Centred),
            (copy.ViewCount, copy.EmbeddingDimension, copy.HiddenDimension, copy.ReferenceView, copy.Centred));
        Assert.Equal(appearance.Encoding.Minimum, copy.Encoding.Minimum);
        using var scope = torch.NewDisposeScope();
        Assert.True(appearance.Colors(4, colours, positions).eq(copy.Colors(4, colours, positions)).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => appearance.Offsets(5, colours, appearance.Encoding.Encode(positions)));
    }

    [Fact]
    public void Position_encoding_maps_the_box_to_minus_one_one_with_sine_and_cosine_features()
    {
        var encoding = new PositionEncoding([0, -1, 2], [2, 1, 4], 2);
        Assert.Equal(15, encoding.Dimension);
        using var scope = torch.NewDisposeScope();
        var e = encoding.Encode(torch.tensor(new float[] { 0, -1, 2, 2, 1, 4, 1.5f, 0, 3 }, [3, 3]));
        Assert.Equal(new float[] { -1, -1, -1 }, e[0, ..3].data<float>().ToArray());
        Assert.Equal(new float[] { 1, 1, 1 }, e[1, ..3].data<float>().ToArray());
        // Point 2 normalises to (0.5, 0, 0): features sin(pi x), cos(pi x), sin(2 pi x), cos(2 pi x) per axis.
        var x = new[] { 0.5, 0, 0 };
        var expected = x.Concat(x.Select(v => Math.Sin(Math.PI * v))).Concat(x.Select(v => Math.Cos(Math.PI * v)))
            .Concat(x.Select(v => Math.Sin(2 * Math.PI * v))).Concat(x.Select(v => Math.Cos(2 * Math.PI * v))).ToArray();
        var actual = e[2].data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);

        var fitted = PositionEncoding.Fit(torch.tensor(new float[] { 0, 0, 0, 1, 2, 3 }, [2, 3]), 1, margin: 0.5);
        Assert.Equal(new[] { -0.5, -1, -1.5 }, fitted.Minimum);
        Assert.Equal(new[] { 1.5, 3, 4.5 }, fitted.Maximum);
    }

    private sealed class TensorComparer(double tolerance) : IEqualityComparer<Tensor>
    {
        public bool Equals(Tensor? a, Tensor? b) => a is not null && b is not null && (a - b).abs().max().item<float>() <= tolerance;

        public int GetHashCode(Tensor obj) => 0;
    }
}

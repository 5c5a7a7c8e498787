using FaceCraft4D.Vision.Preprocessing.Networks;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests;

public sealed class NetworkPortTests
{
    [Theory]
    [InlineData(112, 3, 2, 0, 1)] // even input, stride 2: TF puts the single pad row after
    [InlineData(207, 2, 2, 0, 1)]
    [InlineData(13, 2, 1, 0, 1)]
    [InlineData(56, 3, 1, 1, 1)]
    [InlineData(7, 3, 2, 1, 1)]
    public void Tf_same_padding_matches_tensorflow_rule(int n, int k, int s, int before, int after)
    {
        var (b, a) = TfPadding.Same(n, k, s);
        Assert.Equal(before, b);
        Assert.Equal(after, a);
    }

    [Fact]
    public void Tiny_random_landmark_net_runs_forward_with_the_right_shapes()
    {
        torch.manual_seed(1);
        var config = new FaceLandmark68NetConfig(new[] { 4, 8 }, ConvsPerBlock: 3, InputSize: 32);
        using var net = new FaceLandmark68Net(config);
        using var x = torch.randn(2, 3, 32, 32);
        using var y = net.forward(x);
        Assert.Equal(new long[] { 2, 136 }, y.shape);
        Assert.Equal(8, config.FeatureSide);
        Assert.True(y.isfinite().all().item<bool>());
        // every parameter has exactly one official name, in the tfjs naming scheme
        var names = net.Bindings().Select(b => b.TfjsName).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains("dense0/conv0/filters", names);
        Assert.Contains("dense1/conv2/depthwise_filter", names);
        Assert.Contains("fc/weights", names);
        Assert.Equal(net.parameters().Count(), names.Count);
    }

    [Fact]
    public void Tiny_random_detector_net_outputs_five_anchor_encodings_per_cell()
    {
        torch.manual_seed(2);
        var config = new TinyFaceDetectorNetConfig(new[] { 2, 4, 4, 4, 4, 8 }, TinyFaceDetectorNetConfig.Official.Anchors);
        using var net = new TinyFaceDetectorNet(config);
        using var x = torch.randn(1, 3, 96, 96);
        using var y = net.forward(x);
        Assert.Equal(new long[] { 1, 25, 3, 3 }, y.shape);
        Assert.Equal(net.parameters().Count(), net.Bindings().Count());
    }

    [Fact]
    public void Separable_conv_port_equals_a_direct_nhwc_tensorflow_computation()
    {
        // Reference: tf.separableConv2d(x, depthwise [3,3,C,1], pointwise [1,1,C,O], stride 2, 'same') + bias,
        // written as plain loops in NHWC with TF's asymmetric 'same' padding.
        const int H = 6, W = 5, C = 2, O = 3, S = 2;
        var rng = new Random(7);
        float R() => (float)(rng.NextDouble() * 2 - 1);
        var x = Enumerable.Range(0, H * W * C).Select(_ => R()).ToArray();          // [H, W, C]
        var dw = Enumerable.Range(0, 3 * 3 * C).Select(_ => R()).ToArray();         // [3, 3, C, 1]
        var pw = Enumerable.Range(0, C * O).Select(_ => R()).ToArray();             // [1, 1, C, O]
        var bias = Enumerable.Range(0, O).Select(_ => R()).ToArray();
        var weights = new Dictionary<string, TfjsTensor>
        {
            ["l/depthwise_filter"] = new("l/depthwise_filter", new[] { 3, 3, C, 1 }, dw),
            ["l/pointwise_filter"] = new("l/pointwise_filter", new[] { 1, 1, C, O }, pw),
            ["l/bias"] = new("l/bias", new[] { O }, bias),
        };
        using var layer = new SeparableConv2dLayer("l", C, O, S);
        TfjsWeightBinder.Bind(weights, layer.Bindings("l"), "test");

        int oh = (H + S - 1) / S, ow = (W + S - 1) / S;
        var (padTop, _) = TfPadding.Same(H, 3, S);
        var (padLeft, _) = TfPadding.Same(W, 3, S);
        var expected = new float[oh, ow, O];
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        {
            var depth = new float[C];
            for (int c = 0; c < C; c++)
            for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
            {
                int iy = oy * S + ky - (int)padTop, ix = ox * S + kx - (int)padLeft;
                if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
                depth[c] += x[(iy * W + ix) * C + c] * dw[(ky * 3 + kx) * C + c];
            }
            for (int o = 0; o < O; o++)
            {
                float acc = bias[o];
                for (int c = 0; c < C; c++) acc += depth[c] * pw[c * O + o];
                expected[oy, ox, o] = acc;
            }
        }

        using var input = torch.tensor(x, new long[] { 1, H, W, C }).permute(0, 3, 1, 2).contiguous(); // NHWC -> NCHW
        using var output = layer.forward(input);                                                      // [1, O, oh, ow]
        Assert.Equal(new long[] { 1, O, oh, ow }, output.shape);
        var got = output.permute(0, 2, 3, 1).contiguous().data<float>().ToArray();
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        for (int o = 0; o < O; o++)
            Assert.Equal(expected[oy, ox, o], got[(oy * ow + ox) * O + o], 5);
    }

    [Fact]
    public void Binder_reports_missing_and_unconsumed_weights_by_name()
    {
        using var layer = new Conv2dLayer("c", 1, 2, 1, 1, samePadding: false);
        var ok = new Dictionary<string, TfjsTensor>
        {
            ["c/filters"] = new("c/filters", new[] { 1, 1, 1, 2 }, new[] { 1f, 2f }),
            ["c/bias"] = new("c/bias", new[] { 2 }, new[] { 0f, 0f }),
        };
        TfjsWeightBinder.Bind(ok, layer.Bindings("c"), "m");
        var extra = new Dictionary<string, TfjsTensor>(ok) { ["c/surprise"] = new("c/surprise", new[] { 1 }, new[] { 0f }) };
        Assert.Contains("c/surprise", Assert.Throws<InvalidDataException>(() => TfjsWeightBinder.Bind(extra, layer.Bindings("c"), "m")).Message);
        var missing = new Dictionary<string, TfjsTensor> { ["c/filters"] = ok["c/filters"] };
        Assert.Contains("c/bias", Assert.Throws<InvalidDataException>(() => TfjsWeightBinder.Bind(missing, layer.Bindings("c"), "m")).Message);
        var badShape = new Dictionary<string, TfjsTensor>(ok) { ["c/bias"] = new("c/bias", new[] { 3 }, new[] { 0f, 0f, 0f }) };
        Assert.Throws<InvalidDataException>(() => TfjsWeightBinder.Bind(badShape, layer.Bindings("c"), "m"));
    }

    [Fact]
    public void Conv_filter_layout_moves_tf_hwio_to_torch_oihw()
    {
        // tf filter [kh=1, kw=2, in=2, out=3], value encodes its indices: 1000*kh + 100*kw + 10*in + out
        var vals = new List<float>();
        for (int kh = 0; kh < 1; kh++) for (int kw = 0; kw < 2; kw++) for (int i = 0; i < 2; i++) for (int o = 0; o < 3; o++)
            vals.Add(1000 * kh + 100 * kw + 10 * i + o);
        using var t = TfjsWeightBinder.ToTorchLayout(new TfjsTensor("f", new[] { 1, 2, 2, 3 }, vals.ToArray()), TfjsLayout.ConvFilter);
        Assert.Equal(new long[] { 3, 2, 1, 2 }, t.shape);
        Assert.Equal(100 + 10 * 1 + 2, t[2, 1, 0, 1].item<float>());
    }
}

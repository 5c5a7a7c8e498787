using System.Text;
using System.Text.Json;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests;

/// <summary>Analytic checks of the TF semantics of the ops the selfie/faceres/MobileFaceNet graphs added to the runner.</summary>
public class TfjsGraphKernelsTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static TfjsGraphNode Node(string op, string attrJson) =>
        new("n", op, Array.Empty<string>(), JsonDocument.Parse(attrJson).RootElement.Clone());

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void ResizeBilinear_follows_half_pixel_centers_and_align_corners_and_refuses_the_legacy_mode()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 0, 1 }, new long[] { 1, 1, 2, 1 });          // [N, H, W, C] = [1, 1, 2, 1]
        var size = torch.tensor(new[] { 1, 4 }, ScalarType.Int32);
        // half pixel: source x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped at the border
        var half = TfjsGraphKernels.Run(Node("ResizeBilinear", """{"half_pixel_centers":{"b":true},"align_corners":{"b":false}}"""), [x, size], null);
        Assert.Equal(new long[] { 1, 1, 4, 1 }, half.shape);
        Assert.Equal(new[] { 0f, 0.25f, 0.75f, 1f }, Values(half), new FloatTolerance(1e-6f));
        // align corners: source x = i * (2 - 1) / (4 - 1)
        var align = TfjsGraphKernels.Run(Node("ResizeBilinear", """{"align_corners":{"b":true}}"""), [x, size], null);
        Assert.Equal(new[] { 0f, 1f / 3, 2f / 3, 1f }, Values(align), new FloatTolerance(1e-6f));
        Assert.Throws<NotSupportedException>(() => TfjsGraphKernels.Run(Node("ResizeBilinear", "{}"), [x, size], null));
    }

    [Fact]
    public void Conv2DBackpropInput_is_the_transposed_convolution_cropped_as_TF_SAME_places_it()
    {
        using var scope = torch.NewDisposeScope();
        // 3x3 kernel, stride 2, SAME, output 3x3: TF pads the forward conv (3 -> 2) by 1 before and 1 after.
        var node = Node("Conv2DBackpropInput", $$$"""{"strides":{"list":{"i":["1","2","2","1"]}},"padding":{"s":"{{{B64("SAME")}}}"},"data_format":{"s":"{{{B64("NHWC")}}}"}}""");
        var kernel = HeldScalarOps.Arange(1, 10, 1, ScalarType.Float32).reshape(1, 1, 3, 3);       // torch layout [in, out, kh, kw]
        var dy = torch.tensor(new float[] { 1, 0, 0, 0 }, new long[] { 1, 2, 2, 1 });     // one impulse at (0, 0)
        var sizes = torch.tensor(new[] { 1, 3, 3, 1 }, ScalarType.Int32);
        var y = TfjsGraphKernels.Run(node, [sizes, null!, dy], kernel);                   // [1, 3, 3, 1]
        Assert.Equal(new long[] { 1, 3, 3, 1 }, y.shape);
        // The forward conv's output (0, 0) reads padded input rows/cols -1..1, so its gradient is the kernel's lower-right 2x2 at rows/cols 0..1.
        Assert.Equal(new float[] { 5, 6, 0, 8, 9, 0, 0, 0, 0 }, Values(y));
    }

    [Fact]
    public void Squeeze_Sum_Mean_Softmax_and_fused_matmul_follow_TF()
    {
        using var scope = torch.NewDisposeScope();
        var x = HeldScalarOps.Arange(6, ScalarType.Float32).reshape(1, 2, 3, 1);                  // [1, 2, 3, 1]
        var squeezed = TfjsGraphKernels.Run(Node("Squeeze", """{"squeeze_dims":{"list":{"i":["0","3"]}}}"""), [x], null);
        Assert.Equal(new long[] { 2, 3 }, squeezed.shape);
        var axes = torch.tensor(new[] { -1 }, ScalarType.Int32);
        Assert.Equal(new[] { 3f, 12f }, Values(TfjsGraphKernels.Run(Node("Sum", "{}"), [squeezed, axes], null)));
        var mean = TfjsGraphKernels.Run(Node("Mean", """{"keep_dims":{"b":true}}"""), [squeezed, axes], null);
        Assert.Equal(new long[] { 2, 1 }, mean.shape);
        Assert.Equal(new[] { 1f, 4f }, Values(mean));
        var soft = Values(TfjsGraphKernels.Run(Node("Softmax", "{}"), [squeezed], null));
        Assert.Equal(1.0, soft.Take(3).Sum(), 5);
        Assert.Equal(Math.Exp(2) / (1 + Math.E + Math.Exp(2)), soft[2], 5);

        var w = torch.tensor(new float[] { 1, -1, 1, -1, 1, -1 }, new long[] { 3, 2 });  // [K, M]
        var bias = torch.tensor(new float[] { 0.5f, 0.5f });
        var fused = TfjsGraphKernels.Run(Node("_FusedMatMul", $$$"""{"fused_ops":{"list":{"s":["{{{B64("BiasAdd")}}}","{{{B64("Relu")}}}"]} } }"""), [squeezed, w, bias], null);
        // w's columns are all +1 and all -1: rows [0,1,2] and [3,4,5] give sums 3 and 12 (+0.5), their negatives relu to 0
        Assert.Equal(new[] { 3.5f, 0f, 12.5f, 0f }, Values(fused));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float v) => 0;
    }
}

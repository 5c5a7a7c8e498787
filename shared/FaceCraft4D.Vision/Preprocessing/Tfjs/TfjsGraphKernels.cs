using FaceCraft4D.Vision.Preprocessing.Networks;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// TensorFlow op semantics in TorchSharp for the ops of converted tfjs graph models (MediaPipe FaceMesh and its
/// attention variant, MediaPipe selfie segmentation, @vladmandic/human faceres, MobileFaceNet). Activations stay in TensorFlow's NHWC layout, so shape ops (Reshape, StridedSlice, Concat
/// axes) keep their graph meaning; convolutions view the NHWC tensor as channels-last NCHW for torch. int32 graph
/// tensors are torch Int32 tensors, float tensors Float32. Every method returns a new tensor the caller owns.
/// </summary>
public static class TfjsGraphKernels
{
    /// <summary>Ops <see cref="Run"/> implements.</summary>
    public static readonly IReadOnlySet<string> SupportedOps = new HashSet<string>(StringComparer.Ordinal)
    {
        "Identity", "_FusedConv2D", "DepthwiseConv2dNative", "Conv2D", "MaxPool", "Pad", "Prelu", "Sigmoid", "Relu",
        "AddV2", "Add", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Neg", "Floor", "Cos", "Sin", "Atan2", "AddN",
        "Reshape", "Shape", "StridedSlice", "ConcatV2", "Pack", "ExpandDims", "Transpose", "Tile", "Fill", "Range",
        "ZerosLike", "Cast", "GatherV2", "BatchMatMulV2", "MatMul", "Min", "Max", "LessEqual", "GreaterEqual", "LogicalAnd",
        "FusedDepthwiseConv2dNative", "Conv2DBackpropInput", "AvgPool", "ResizeBilinear", "BiasAdd", "Relu6", "Abs",
        "Square", "Rsqrt", "Softmax", "Squeeze", "Sum", "Mean", "_FusedMatMul",
    };

    /// <summary>
    /// Runs one node. <paramref name="filters"/> holds the node's convolution filter already in torch layout
    /// ([out, in/groups, kh, kw]) for conv ops, null otherwise.
    /// </summary>
    public static Tensor Run(TfjsGraphNode node, IReadOnlyList<Tensor> x, Tensor? filters)
    {
        switch (node.Op)
        {
            case "Identity": return x[0].alias();
            case "_FusedConv2D": return FusedConv2D(node, x, filters!, groups: 1);
            case "FusedDepthwiseConv2dNative": return FusedConv2D(node, x, filters!, groups: x[0].shape[3]);
            case "Conv2DBackpropInput": return ConvTranspose(node, Longs(x[0]), filters!, x[2]);
            case "AvgPool": return AvgPool(node, x[0]);
            case "ResizeBilinear": return ResizeBilinear(node, x[0], Longs(x[1]));
            case "Conv2D": return Convolve(node, x[0], filters!, groups: 1);
            case "DepthwiseConv2dNative": return Convolve(node, x[0], filters!, groups: x[0].shape[3]);
            case "MaxPool": return MaxPool(node, x[0]);
            case "Pad": return Pad(x[0], x[1]);
            case "Prelu": return Prelu(x[0], x[1]);
            case "Relu": return nn.functional.relu(x[0]);
            case "Relu6": return Relu6(x[0]);
            case "Abs": return x[0].abs();
            case "Square": return x[0].Power(2);
            case "Rsqrt": return x[0].rsqrt();
            case "Softmax": return x[0].softmax(-1);
            case "BiasAdd": return x[0].Plus(x[1]);
            case "Squeeze": return Squeeze(node, x[0]);
            case "Sum": return x[0].sum(ReduceAxes(x[0], x[1]), keepdim: node.Bool("keep_dims"));
            case "Mean": return x[0].mean(ReduceAxes(x[0], x[1]), keepdim: node.Bool("keep_dims"));
            case "_FusedMatMul": return FusedMatMul(node, x);
            case "Sigmoid": return x[0].sigmoid();
            case "AddV2": case "Add": return x[0].Plus(x[1]);
            case "Sub": return x[0] - x[1];
            case "Mul": return x[0] * x[1];
            case "RealDiv": return x[0] / x[1];
            case "Maximum": return torch.maximum(x[0], x[1]);
            case "Minimum": return torch.minimum(x[0], x[1]);
            case "Neg": return x[0].neg();
            case "Floor": return x[0].floor();
            case "Cos": return x[0].cos();
            case "Sin": return x[0].sin();
            case "Atan2": return x[0].atan2(x[1]);
            case "AddN": return AddN(x);
            case "Reshape": return x[0].reshape(Longs(x[1]));
            case "Shape": return torch.tensor(x[0].shape.Select(d => (int)d).ToArray(), ScalarType.Int32, x[0].device);
            case "StridedSlice": return StridedSlice(node, x[0], Longs(x[1]), Longs(x[2]), Longs(x[3]));
            case "ConcatV2": return Concat(x);
            case "Pack": return torch.stack(x, Axis(node.Int("axis"), x[0].dim() + 1));
            case "ExpandDims": return x[0].unsqueeze(Axis(Longs(x[1])[0], x[0].dim() + 1));
            case "Transpose": return x[0].permute(Longs(x[1])).contiguous();
            case "Tile": return x[0].tile(Longs(x[1]));
            case "Fill": return HeldScalarOps.Full(Longs(x[0]), x[1].item<float>(), x[1].dtype, x[1].device);
            case "Range": return Range(x[0], x[1], x[2]);
            case "ZerosLike": return torch.zeros_like(x[0]);
            case "Cast": return Cast(node, x[0]);
            case "GatherV2": return Gather(node, x[0], x[1], Longs(x[2])[0]);
            case "BatchMatMulV2": return MatMul(x[0], x[1], node.Bool("adj_x"), node.Bool("adj_y"));
            case "MatMul": return MatMul(x[0], x[1], node.Bool("transpose_a"), node.Bool("transpose_b"));
            case "Min": return Reduce(node, x[0], x[1], max: false);
            case "Max": return Reduce(node, x[0], x[1], max: true);
            case "LessEqual": return x[0].le(x[1]);
            case "GreaterEqual": return x[0].ge(x[1]);
            case "LogicalAnd": return x[0].logical_and(x[1]);
            default: throw new NotSupportedException($"tfjs graph op {node} is not supported by the TorchSharp port.");
        }
    }

    /// <summary>Values of a small int tensor (shapes, axes, slice bounds).</summary>
    public static long[] Longs(Tensor t)
    {
        using var l = t.to_type(ScalarType.Int64).cpu();
        return l.data<long>().ToArray();
    }

    private static long Axis(long axis, long rank) => axis < 0 ? axis + rank : axis;

    /// <summary>
    /// Conv2D or depthwise conv + BiasAdd (+ activation): inputs x [N, H, W, Cin], filter, bias [Cout], (alpha).
    /// </summary>
    private static Tensor FusedConv2D(TfjsGraphNode node, IReadOnlyList<Tensor> x, Tensor filters, long groups)
    {
        using var conv = Convolve(node, x[0], filters, groups);
        return BiasThenActivate(node, conv, x);
    }

    /// <summary>The fused tail of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul: BiasAdd (x[2]), then an optional activation (Prelu alpha x[3]).</summary>
    private static Tensor BiasThenActivate(TfjsGraphNode node, Tensor y, IReadOnlyList<Tensor> x)
    {
        var ops = node.Strings("fused_ops");
        if (ops.Length == 0 || ops[0] != "BiasAdd")
            throw new NotSupportedException($"{node}: fused ops [{string.Join(", ", ops)}] are not supported (BiasAdd first expected).");
        var biased = y.Plus(x[2]);
        if (ops.Length == 1) return biased;
        using (biased)
        {
            return ops[1] switch
            {
                "Prelu" when ops.Length == 2 && x.Count > 3 => Prelu(biased, x[3]),
                "Relu" when ops.Length == 2 => nn.functional.relu(biased),
                "Relu6" when ops.Length == 2 => Relu6(biased),
                "Sigmoid" when ops.Length == 2 => biased.sigmoid(),
                "LeakyRelu" when ops.Length == 2 => biased.LeakyRelu(node.Float("leakyrelu_alpha", 0.2)),
                _ => throw new NotSupportedException($"{node}: fused ops [{string.Join(", ", ops)}] are not supported."),
            };
        }
    }

    /// <summary>_FusedMatMul: MatMul(a, b) (transpose_a/_b) + BiasAdd (+ activation); a [N, K], b [K, M], bias [M].</summary>
    private static Tensor FusedMatMul(TfjsGraphNode node, IReadOnlyList<Tensor> x)
    {
        using var y = MatMul(x[0], x[1], node.Bool("transpose_a"), node.Bool("transpose_b"));
        return BiasThenActivate(node, y, x);
    }

    /// <summary>
    /// TF Conv2DBackpropInput (conv2d_transpose): out_backprop x [N, H, W, Cin] with the filter in conv_transpose
    /// layout [Cin, Cout, kh, kw], cropped to <paramref name="outputShape"/> [N, Ho, Wo, Cout] where TF's SAME/VALID
    /// padding of the forward conv places it. Returns NHWC.
    /// </summary>
    private static Tensor ConvTranspose(TfjsGraphNode node, long[] outputShape, Tensor filters, Tensor x)
    {
        var strides = node.Ints("strides");
        var dilations = node.Ints("dilations");
        if (dilations.Length == 4 && (dilations[1] != 1 || dilations[2] != 1))
            throw new NotSupportedException($"{node}: dilated transposed convolution is not supported.");
        if (node.String("data_format") is { } fmt && fmt != "NHWC")
            throw new NotSupportedException($"{node}: data format {fmt} is not supported.");
        long sh = strides.Length == 4 ? strides[1] : 1, sw = strides.Length == 4 ? strides[2] : 1;
        long top = 0, left = 0;
        switch (node.String("padding"))
        {
            case "SAME":
                top = TfPadding.Same(outputShape[1], filters.shape[2], sh).Before;
                left = TfPadding.Same(outputShape[2], filters.shape[3], sw).Before;
                break;
            case "VALID": break;
            case var p: throw new NotSupportedException($"{node}: padding {p} is not supported.");
        }
        using var nchw = x.permute(0, 3, 1, 2);
        using var full = nn.functional.conv_transpose2d(nchw, filters, strides: new[] { sh, sw });
        if (full.shape[2] < top + outputShape[1] || full.shape[3] < left + outputShape[2])
            throw new InvalidOperationException($"{node}: output [{string.Join(", ", outputShape)}] does not fit the transposed convolution's [{string.Join(", ", full.shape)}] (NCHW).");
        using var cropped = full.slice(2, top, top + outputShape[1], 1).slice(3, left, left + outputShape[2], 1);
        return cropped.permute(0, 2, 3, 1);
    }

    /// <summary>TF AvgPool with VALID padding on x [N, H, W, C]; returns NHWC.</summary>
    private static Tensor AvgPool(TfjsGraphNode node, Tensor x)
    {
        var k = node.Ints("ksize"); var s = node.Ints("strides");
        if (node.String("padding") != "VALID") throw new NotSupportedException($"{node}: only VALID average pooling is supported.");
        using var nchw = x.permute(0, 3, 1, 2);
        using var y = nn.functional.avg_pool2d(nchw, new[] { k[1], k[2] }, new[] { s[1], s[2] });
        return y.permute(0, 2, 3, 1);
    }

    /// <summary>
    /// TF ResizeBilinear of x [N, H, W, C] to size [Ho, Wo]: align_corners maps corner pixel centres onto each other;
    /// half_pixel_centers samples at (i + 0.5) * in / out - 0.5 (torch's align_corners = false). The legacy mode
    /// (neither flag) is refused. Returns NHWC.
    /// </summary>
    private static Tensor ResizeBilinear(TfjsGraphNode node, Tensor x, long[] size)
    {
        bool align = node.Bool("align_corners"), half = node.Bool("half_pixel_centers");
        if (!align && !half) throw new NotSupportedException($"{node}: legacy ResizeBilinear (neither align_corners nor half_pixel_centers) is not supported.");
        using var nchw = x.permute(0, 3, 1, 2);
        using var y = nn.functional.interpolate(nchw, new[] { size[0], size[1] }, mode: InterpolationMode.Bilinear, align_corners: align);
        return y.permute(0, 2, 3, 1);
    }

    /// <summary>TF Squeeze: the squeeze_dims axes (all size-1 axes when none are given).</summary>
    private static Tensor Squeeze(TfjsGraphNode node, Tensor x)
    {
        var dims = node.Ints("squeeze_dims").Select(d => Axis(d, x.dim())).ToArray();
        if (dims.Length == 0) dims = Enumerable.Range(0, (int)x.dim()).Where(d => x.shape[d] == 1).Select(d => (long)d).ToArray();
        var shape = x.shape.Where((_, d) => !dims.Contains(d)).ToArray();
        foreach (var d in dims)
            if (x.shape[d] != 1) throw new InvalidOperationException($"{node}: cannot squeeze axis {d} of size {x.shape[d]}.");
        return x.reshape(shape);
    }

    private static long[] ReduceAxes(Tensor x, Tensor axes) => Longs(axes).Select(a => Axis(a, x.dim())).ToArray();

    /// <summary>x [N, H, W, C] (NHWC) convolved with torch-layout filters; returns NHWC.</summary>
    private static Tensor Convolve(TfjsGraphNode node, Tensor x, Tensor filters, long groups)
    {
        var strides = node.Ints("strides");
        var dilations = node.Ints("dilations");
        if (dilations.Length == 4 && (dilations[1] != 1 || dilations[2] != 1))
            throw new NotSupportedException($"{node}: dilated convolution is not supported.");
        if (node.String("data_format") is { } fmt && fmt != "NHWC")
            throw new NotSupportedException($"{node}: data format {fmt} is not supported.");
        long sh = strides.Length == 4 ? strides[1] : 1, sw = strides.Length == 4 ? strides[2] : 1;
        if (sh != sw) throw new NotSupportedException($"{node}: unequal strides are not supported.");
        using var nchw = x.permute(0, 3, 1, 2); // a channels-last view, no copy
        var padding = node.String("padding");
        using var padded = padding switch
        {
            "SAME" => TfPadding.PadSame(nchw, filters.shape[2], sh),
            "VALID" => nchw.alias(),
            _ => throw new NotSupportedException($"{node}: padding {padding} is not supported."),
        };
        using var y = ChannelAlignedConvolution.Conv2d(padded, filters, strides: new[] { sh, sw }, groups: groups);
        return y.permute(0, 2, 3, 1);
    }

    private static Tensor MaxPool(TfjsGraphNode node, Tensor x)
    {
        var k = node.Ints("ksize"); var s = node.Ints("strides");
        if (k[1] != k[2] || s[1] != s[2]) throw new NotSupportedException($"{node}: non-square pooling is not supported.");
        using var nchw = x.permute(0, 3, 1, 2);
        using var y = node.String("padding") switch
        {
            "VALID" => nn.functional.max_pool2d(nchw, new[] { k[1], k[2] }, new[] { s[1], s[2] }),
            "SAME" => TfPadding.MaxPoolSame(nchw, k[1], s[1]),
            var p => throw new NotSupportedException($"{node}: padding {p} is not supported."),
        };
        return y.permute(0, 2, 3, 1);
    }

    /// <summary>paddings [rank, 2] (before, after per axis) with zeros.</summary>
    private static Tensor Pad(Tensor x, Tensor paddings)
    {
        var p = Longs(paddings);
        var torchPad = new long[p.Length];
        int rank = p.Length / 2;
        for (int d = 0; d < rank; d++)
        {
            torchPad[2 * (rank - 1 - d)] = p[2 * d];
            torchPad[2 * (rank - 1 - d) + 1] = p[2 * d + 1];
        }
        return nn.functional.pad(x, torchPad, PaddingModes.Constant, 0.0);
    }

    /// <summary>TF Prelu: x where x &gt;= 0, alpha * x elsewhere (alpha broadcast over the trailing axes).</summary>
    private static Tensor Prelu(Tensor x, Tensor alpha)
    {
        using var neg = x * alpha;
        using var positive = x.IsAtLeast(0);
        return torch.where(positive, x, neg);
    }

    private static Tensor AddN(IReadOnlyList<Tensor> x)
    {
        var sum = x[0].clone();
        for (int i = 1; i < x.Count; i++) sum.PlusInPlace(x[i]);
        return sum;
    }

    private static Tensor Concat(IReadOnlyList<Tensor> x)
    {
        var parts = x.Take(x.Count - 1).ToArray();
        return torch.cat(parts, Axis(Longs(x[^1])[0], parts[0].dim()));
    }

    // Number operands through HeldScalarOps (explicit Scalars disposed after the call, which keeps them alive through
    // it): an implicit Scalar is unreferenced while libtorch reads it, and a GC in between lets its finalizer free it
    // (dotnet/TorchSharp#1434). Add carries a hidden alpha = 1 Scalar.
    private static Tensor Relu6(Tensor x) => x.Clamped(0, 6);

    private static Tensor Range(Tensor start, Tensor limit, Tensor delta)
    {
        var dtype = start.dtype;
        return HeldScalarOps.Arange(start.item<int>(), limit.item<int>(), delta.item<int>(), dtype, start.device);
    }

    /// <summary>TF Cast: float to int truncates toward zero; bool to number is 0/1.</summary>
    private static Tensor Cast(TfjsGraphNode node, Tensor x) => node.Type("DstT") switch
    {
        "DT_INT32" => x.to_type(ScalarType.Int32),
        "DT_FLOAT" => x.to_type(ScalarType.Float32),
        "DT_BOOL" => x.IsNotEqualTo(0),
        var t => throw new NotSupportedException($"{node}: cast to {t} is not supported."),
    };

    /// <summary>GatherV2 with batch_dims 0: params.shape[:axis] + indices.shape + params.shape[axis+1:].</summary>
    private static Tensor Gather(TfjsGraphNode node, Tensor parameters, Tensor indices, long axis)
    {
        if (node.Int("batch_dims") != 0) throw new NotSupportedException($"{node}: batch_dims != 0 is not supported.");
        axis = Axis(axis, parameters.dim());
        using var flat = indices.to_type(ScalarType.Int64).flatten();
        using var picked = parameters.index_select(axis, flat);
        var shape = parameters.shape.Take((int)axis).Concat(indices.shape).Concat(parameters.shape.Skip((int)axis + 1)).ToArray();
        return picked.reshape(shape);
    }

    private static Tensor MatMul(Tensor a, Tensor b, bool transposeA, bool transposeB)
    {
        using var ta = transposeA ? a.transpose(-1, -2) : a.alias();
        using var tb = transposeB ? b.transpose(-1, -2) : b.alias();
        if (a.dtype == ScalarType.Int32)
        {
            // Integer matmul (index arithmetic in the graph): exact in float64 for the small values involved.
            using var da = ta.to_type(ScalarType.Float64);
            using var db = tb.to_type(ScalarType.Float64);
            using var p = torch.matmul(da, db);
            using var r = p.round();
            return r.to_type(ScalarType.Int32);
        }
        return torch.matmul(ta, tb);
    }

    private static Tensor Reduce(TfjsGraphNode node, Tensor x, Tensor axes, bool max)
    {
        var dims = Longs(axes).Select(a => Axis(a, x.dim())).ToArray();
        bool keep = node.Bool("keep_dims");
        return max ? x.amax(dims, keep) : x.amin(dims, keep);
    }

    /// <summary>TF StridedSlice (begin/end/ellipsis/shrink masks; positive strides; no new-axis mask).</summary>
    public static Tensor StridedSlice(TfjsGraphNode node, Tensor x, long[] begin, long[] end, long[] strides)
    {
        long beginMask = node.Int("begin_mask"), endMask = node.Int("end_mask"), ellipsisMask = node.Int("ellipsis_mask");
        long shrinkMask = node.Int("shrink_axis_mask");
        if (node.Int("new_axis_mask") != 0) throw new NotSupportedException($"{node}: new_axis_mask is not supported.");
        var result = x.alias();
        var squeeze = new List<long>();
        int dim = 0;
        for (int i = 0; i < begin.Length; i++)
        {
            if ((ellipsisMask >> i & 1) != 0)
            {
                dim += (int)x.dim() - (begin.Length - 1);
                continue;
            }
            long size = x.shape[dim];
            long stride = strides[i];
            if (stride <= 0) throw new NotSupportedException($"{node}: stride {stride} is not supported.");
            Tensor next;
            if ((shrinkMask >> i & 1) != 0)
            {
                long idx = begin[i] < 0 ? begin[i] + size : begin[i];
                if (idx < 0 || idx >= size) throw new InvalidOperationException($"{node}: index {begin[i]} out of range for size {size}.");
                next = result.narrow(dim, idx, 1);
                squeeze.Add(dim);
            }
            else
            {
                long b = (beginMask >> i & 1) != 0 ? 0 : Clamp(begin[i], size);
                long e = (endMask >> i & 1) != 0 ? size : Clamp(end[i], size);
                if (e < b) e = b;
                next = result.slice(dim, b, e, stride);
            }
            result.Dispose();
            result = next;
            dim++;
        }
        for (int k = squeeze.Count - 1; k >= 0; k--)
        {
            var s = result.squeeze(squeeze[k]);
            result.Dispose();
            result = s;
        }
        return result;

        static long Clamp(long v, long size) => Math.Clamp(v < 0 ? v + size : v, 0, size);
    }
}

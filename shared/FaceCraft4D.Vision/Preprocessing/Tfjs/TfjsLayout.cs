namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>How a tfjs (TensorFlow, NHWC) weight maps onto a TorchSharp (NCHW) parameter.</summary>
public enum TfjsLayout
{
    /// <summary>Same element order (biases, vectors).</summary>
    Identity,
    /// <summary>conv2d filter [kh, kw, in, out] to torch [out, in, kh, kw].</summary>
    ConvFilter,
    /// <summary>depthwise filter [kh, kw, in, multiplier] to torch grouped conv weight [in*multiplier, 1, kh, kw].</summary>
    DepthwiseFilter,
    /// <summary>dense weights [in, out] (x @ W) to torch linear weight [out, in].</summary>
    DenseWeights,
}

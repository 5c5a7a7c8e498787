namespace FaceCraft4D.Vision.SuperResolution;

/// <summary>
/// One layer of a Keras functional model as saved in a TFJS layers <c>model.json</c>: its class, name, the names of the
/// layers feeding it, and the configuration fields the ported layer kinds use.
/// </summary>
public sealed record TfjsLayerSpec(
    string ClassName,
    string Name,
    IReadOnlyList<string> Inputs,
    int Filters = 0,
    int KernelSize = 0,
    int Stride = 1,
    string Padding = "valid",
    string Activation = "linear",
    bool UseBias = true,
    int UpSampling = 1,
    string Interpolation = "nearest",
    int Axis = -1);

using FaceCraft4D.Graphics.Flame;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// A head model prepared for dense fitting: the FaceMesh correspondence on it and the model restricted to those
/// points. Build once per head model and reuse. Owns the restricted model.
/// </summary>
public sealed class DenseFitTarget : IDisposable
{
    public DenseFitTarget(FlameModelData data, bool withIrises, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        Correspondence = DenseLandmarkCorrespondence.Build(data, withIrises);
        Model = Correspondence.CreateModel(data, device, dtype);
    }

    public DenseLandmarkCorrespondence Correspondence { get; }
    public FlameLandmarkModel Model { get; }

    public void Dispose() => Model.Dispose();
}

using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>LivePortrait <c>StitchingRetargetingNetwork</c>: an MLP <c>mlp.{0,2,4,...}</c> of Linear layers with ReLU between.</summary>
public sealed class StitchingRetargetingNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Sequential mlp;

    public StitchingRetargetingNetwork(StitchingMlpConfig config, Device? device = null) : base(nameof(StitchingRetargetingNetwork))
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long previous = config.InputSize;
        foreach (var hidden in config.HiddenSizes)
        {
            layers.Add(nn.Linear(previous, hidden, device: device));
            layers.Add(nn.ReLU());
            previous = hidden;
        }
        layers.Add(nn.Linear(previous, config.OutputSize, device: device));
        mlp = nn.Sequential(layers.ToArray());
        register_module(nameof(mlp), mlp);
    }

    public override Tensor forward(Tensor x) => mlp.forward(x);
}

/// <summary>
/// The three MLPs of <c>stitching_retargeting_module.pth</c>, whose checkpoint is a dict of state dicts
/// (<c>retarget_shoulder</c> = stitching, <c>retarget_mouth</c> = lip, <c>retarget_eye</c> = eye); the converted
/// safetensors file flattens it to keys <c>retarget_shoulder.mlp.0.weight</c>, … (DDP <c>module.</c> prefixes removed).
/// </summary>
public sealed class StitchingRetargetingModule : nn.Module
{
    private readonly StitchingRetargetingNetwork retarget_shoulder;
    private readonly StitchingRetargetingNetwork retarget_mouth;
    private readonly StitchingRetargetingNetwork retarget_eye;

    public StitchingRetargetingModule(LivePortraitConfig config, Device? device = null) : base(nameof(StitchingRetargetingModule))
    {
        retarget_shoulder = new StitchingRetargetingNetwork(config.Stitching, device);
        retarget_mouth = new StitchingRetargetingNetwork(config.Lip, device);
        retarget_eye = new StitchingRetargetingNetwork(config.Eye, device);
        register_module(nameof(retarget_shoulder), retarget_shoulder);
        register_module(nameof(retarget_mouth), retarget_mouth);
        register_module(nameof(retarget_eye), retarget_eye);
    }

    /// <summary>
    /// Stitching as the official wrapper does it: δ = S([x_s; x_d]) ∈ R^(3K+2); x_d + δ[:3K] per keypoint and
    /// δ[3K:3K+2] added to every keypoint's x, y.
    /// </summary>
    /// <param name="kpSource">[B, K, 3]</param>
    /// <param name="kpDriving">[B, K, 3]</param>
    /// <returns>[B, K, 3]</returns>
    public Tensor Stitch(Tensor kpSource, Tensor kpDriving)
    {
        using var scope = NewDisposeScope();
        long b = kpSource.shape[0], k = kpSource.shape[1];
        var delta = retarget_shoulder.forward(torch.cat([kpSource.reshape(b, -1), kpDriving.reshape(b, -1)], 1));
        var deltaExp = delta[.., ..(int)(3 * k)].reshape(b, k, 3);
        var deltaXy = delta[.., (int)(3 * k)..(int)(3 * k + 2)].reshape(b, 1, 2);
        var shift = torch.cat([deltaXy, torch.zeros([b, 1, 1], deltaXy.dtype, deltaXy.device)], 2);
        return kpDriving.Plus(deltaExp).Plus(shift).MoveToOuterDisposeScope();
    }

    /// <summary>Eye retargeting δ = R_eye([x_s; eye ratios]) → [B, K, 3] (exposed for completeness).</summary>
    public Tensor RetargetEye(Tensor kpSource, Tensor eyeCloseRatio)
    {
        using var scope = NewDisposeScope();
        long b = kpSource.shape[0];
        return retarget_eye.forward(torch.cat([kpSource.reshape(b, -1), eyeCloseRatio], 1)).reshape(b, -1, 3).MoveToOuterDisposeScope();
    }

    /// <summary>Lip retargeting δ = R_lip([x_s; lip ratios]) → [B, K, 3] (exposed for completeness).</summary>
    public Tensor RetargetLip(Tensor kpSource, Tensor lipCloseRatio)
    {
        using var scope = NewDisposeScope();
        long b = kpSource.shape[0];
        return retarget_mouth.forward(torch.cat([kpSource.reshape(b, -1), lipCloseRatio], 1)).reshape(b, -1, 3).MoveToOuterDisposeScope();
    }
}

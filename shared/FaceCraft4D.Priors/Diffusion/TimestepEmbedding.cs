using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>TimestepEmbedding</c>: (+ <c>cond_proj</c>(condition) when given) → <c>linear_1</c> → act →
/// <c>linear_2</c> → optional post act. <c>cond_proj</c> (no bias) exists only with a <c>time_cond_proj_dim</c>.
/// </summary>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear_1;
    private readonly Linear linear_2;
    private readonly Linear? cond_proj;
    private readonly string _activation;
    private readonly string? _postActivation;

    public TimestepEmbedding(long inChannels, long embedDim, Device? device = null, string activation = "silu",
        string? postActivation = null, long? condProjDim = null) : base(nameof(TimestepEmbedding))
    {
        _activation = DiffusersActivation.Validate(activation);
        _postActivation = postActivation is null ? null : DiffusersActivation.Validate(postActivation, "timestep_post_act");
        linear_1 = nn.Linear(inChannels, embedDim, device: device);
        linear_2 = nn.Linear(embedDim, embedDim, device: device);
        register_module(nameof(linear_1), linear_1);
        if (condProjDim is long c)
        {
            cond_proj = nn.Linear(c, inChannels, hasBias: false, device: device);
            register_module(nameof(cond_proj), cond_proj);
        }
        register_module(nameof(linear_2), linear_2);
    }

    /// <param name="x">[B, inChannels]</param>
    /// <returns>[B, embedDim]</returns>
    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <param name="x">[B, inChannels]</param>
    /// <param name="condition">[B, time_cond_proj_dim] (LCM guidance embedding) or null.</param>
    /// <returns>[B, embedDim]</returns>
    public Tensor Forward(Tensor x, Tensor? condition)
    {
        using var scope = NewDisposeScope();
        if (condition is not null)
        {
            if (cond_proj is null) throw new ArgumentException("This time embedding has no cond_proj (time_cond_proj_dim not set).", nameof(condition));
            x = x.Plus(cond_proj.forward(condition));
        }
        var h = linear_2.forward(DiffusersActivation.Apply(_activation, linear_1.forward(x)));
        if (_postActivation is not null) h = DiffusersActivation.Apply(_postActivation, h);
        return h.MoveToOuterDisposeScope();
    }
}

using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>Standard attention (diffusers <c>AttnProcessor2_0</c>): softmax(QKᵀ/√d)V per head, then <c>to_out.0</c>.</summary>
public sealed class ScaledDotProductAttentionProcessor : IAttentionProcessor
{
    /// <summary>Stateless shared instance.</summary>
    public static ScaledDotProductAttentionProcessor Instance { get; } = new();

    public Tensor Process(Attention attention, Tensor hiddenStates, Tensor? encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var context = encoderHiddenStates ?? hiddenStates;
        var q = attention.ProjectQuery(hiddenStates);
        var k = attention.ProjectKey(context);
        var v = attention.ProjectValue(context);
        var attended = attention.MultiHeadAttention(q, k, v);
        return attention.ProjectOutput(attended).MoveToOuterDisposeScope();
    }
}

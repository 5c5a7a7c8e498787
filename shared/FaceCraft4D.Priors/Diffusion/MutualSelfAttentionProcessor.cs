using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Cross-view mutual self-attention (paper 3.2, MasaCtrl-style): the batch holds G groups of V views, view 0 of each
/// group being the reference. Queries come from every view; keys and values come from the reference of the same
/// group (optionally concatenated with the view's own). The reference therefore attends to itself unchanged, and a
/// target's output is softmax(Q_target K_refᵀ/√d) V_ref per head. Inactive sites and cross-attention fall back to
/// standard attention.
/// </summary>
public sealed class MutualSelfAttentionProcessor : IAttentionProcessor
{
    private readonly MutualAttentionController _controller;

    public MutualSelfAttentionProcessor(MutualAttentionController controller) => _controller = controller;

    public Tensor Process(Attention attention, Tensor hiddenStates, Tensor? encoderHiddenStates)
    {
        if (encoderHiddenStates is not null || attention.IsCrossAttention || !_controller.IsActive(attention.Path))
            return ScaledDotProductAttentionProcessor.Instance.Process(attention, hiddenStates, encoderHiddenStates);

        using var scope = NewDisposeScope();
        long b = hiddenStates.shape[0], n = hiddenStates.shape[1];
        int groups = _controller.BatchGroups;
        if (b % groups != 0) throw new InvalidOperationException($"Batch {b} is not divisible into {groups} guidance groups.");
        long views = b / groups;
        var q = attention.ProjectQuery(hiddenStates);
        var k = attention.ProjectKey(hiddenStates);
        var v = attention.ProjectValue(hiddenStates);
        long inner = k.shape[2];
        Tensor FromReference(Tensor t) => t.view(groups, views, n, inner)[.., 0..1].expand(groups, views, n, inner).reshape(b, n, inner);
        var kRef = FromReference(k);
        var vRef = FromReference(v);
        if (_controller.Options.IncludeTargetOwnKeys)
        {
            kRef = torch.cat([kRef, k], 1);
            vRef = torch.cat([vRef, v], 1);
        }
        var attended = attention.MultiHeadAttention(q, kRef, vRef);
        return attention.ProjectOutput(attended).MoveToOuterDisposeScope();
    }
}

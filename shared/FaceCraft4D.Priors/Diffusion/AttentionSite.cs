namespace FaceCraft4D.Priors.Diffusion;

/// <summary>Where an attention module sits in the UNet, for choosing its processor.</summary>
/// <param name="Path">Dotted module name, e.g. <c>up_blocks.1.attentions.0.transformer_blocks.0.attn1</c>.</param>
/// <param name="IsSelfAttention">True for <c>attn1</c> (self), false for <c>attn2</c> (cross, text).</param>
/// <param name="Module">The attention module.</param>
public sealed record AttentionSite(string Path, bool IsSelfAttention, Attention Module)
{
    /// <summary>Top-level part of the path: <c>down_blocks</c>, <c>mid_block</c> or <c>up_blocks</c>.</summary>
    public string Stage => Path.Split('.')[0];
}

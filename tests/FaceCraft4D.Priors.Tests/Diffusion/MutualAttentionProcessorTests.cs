using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Diffusion;

public class MutualAttentionProcessorTests
{
    private const int Heads = 2, HeadDim = 8, Dim = 16;
    private const string DecoderPath = "up_blocks.1.attentions.0.transformer_blocks.0.attn1";

    private static Attention CreateAttention(string path)
    {
        var a = new Attention(Dim, null, Heads, HeadDim, upcastAttention: false) { Path = path };
        ModuleRandomizer.Randomize(a, 21);
        a.eval();
        return a;
    }

    /// <summary>Textbook multi-head attention of queries from <paramref name="queryTokens"/> over keys/values from <paramref name="kvTokens"/>.</summary>
    private static Tensor Direct(Attention a, Tensor queryTokens, Tensor kvTokens)
    {
        var sd = a.state_dict();
        var q = queryTokens.matmul(sd["to_q.weight"].t());
        var k = kvTokens.matmul(sd["to_k.weight"].t());
        var v = kvTokens.matmul(sd["to_v.weight"].t());
        var heads = new List<Tensor>();
        for (int h = 0; h < Heads; h++)
        {
            var qh = q[.., (h * HeadDim)..((h + 1) * HeadDim)];
            var kh = k[.., (h * HeadDim)..((h + 1) * HeadDim)];
            var vh = v[.., (h * HeadDim)..((h + 1) * HeadDim)];
            var weights = qh.matmul(kh.t()).DividedBy(Math.Sqrt(HeadDim)).softmax(-1);
            heads.Add(weights.matmul(vh));
        }
        return torch.cat(heads, -1).matmul(sd["to_out.0.weight"].t()).Plus(sd["to_out.0.bias"]);
    }

    private static (Attention, MutualAttentionController, Tensor) Setup(string path = DecoderPath, int batch = 3)
    {
        var attention = CreateAttention(path);
        var controller = new MutualAttentionController(new MutualAttentionOptions()) { SamplingPass = true, CurrentStep = 0 };
        attention.Processor = new MutualSelfAttentionProcessor(controller);
        using var g = new Generator(31, CPU);
        var hidden = torch.randn([batch, 6, Dim], generator: g);
        return (attention, controller, hidden);
    }

    [Fact]
    public void TargetView_AttendsWithItsQueries_OverReferenceKeysAndValues()
    {
        var (attention, _, hidden) = Setup();
        using var _ = torch.inference_mode();
        using var output = attention.forward(hidden, null);
        for (int view = 1; view < 3; view++)
            TensorAssert.Close(Direct(attention, hidden[view], hidden[0]), output[view], 1e-5);
        // and this differs from the view's own self-attention
        Assert.True(TensorAssert.MaxAbsDiff(Direct(attention, hidden[1], hidden[1]), output[1]) > 1e-3);
    }

    [Fact]
    public void ReferenceView_KeepsPlainSelfAttention()
    {
        var (attention, _, hidden) = Setup();
        using var _ = torch.inference_mode();
        using var output = attention.forward(hidden, null);
        TensorAssert.Close(Direct(attention, hidden[0], hidden[0]), output[0], 1e-5);
    }

    [Fact]
    public void WithGuidanceGroups_EachGroupUsesItsOwnReference()
    {
        var (attention, controller, hidden) = Setup(batch: 4);
        controller.BatchGroups = 2; // [uncond ref, uncond target, cond ref, cond target]
        using var _ = torch.inference_mode();
        using var output = attention.forward(hidden, null);
        TensorAssert.Close(Direct(attention, hidden[1], hidden[0]), output[1], 1e-5);
        TensorAssert.Close(Direct(attention, hidden[3], hidden[2]), output[3], 1e-5);
        TensorAssert.Close(Direct(attention, hidden[2], hidden[2]), output[2], 1e-5);
    }

    [Fact]
    public void IncludeTargetOwnKeys_AttendsOverReferenceAndOwnTokens()
    {
        var (attention, controller, hidden) = Setup();
        controller.Options = new MutualAttentionOptions { IncludeTargetOwnKeys = true };
        using var _ = torch.inference_mode();
        using var output = attention.forward(hidden, null);
        TensorAssert.Close(Direct(attention, hidden[2], torch.cat([hidden[0], hidden[2]], 0)), output[2], 1e-5);
    }

    [Theory]
    [InlineData("down_blocks.0.attentions.0.transformer_blocks.0.attn1", 0, true, true)] // layer not selected
    [InlineData(DecoderPath, 1, true, true)]                                             // before StartStep
    [InlineData(DecoderPath, 5, true, true)]                                             // after EndStep
    [InlineData(DecoderPath, 2, false, true)]                                            // disabled
    [InlineData(DecoderPath, 2, true, false)]                                            // inversion pass
    public void OutsideItsLayersStepsOrSwitch_IsPlainSelfAttention(string path, int step, bool enabled, bool sampling)
    {
        var (attention, controller, hidden) = Setup(path);
        controller.Options = new MutualAttentionOptions { Enabled = enabled, StartStep = 2, EndStep = 4, LayerPrefixes = ["mid_block", "up_blocks"] };
        controller.CurrentStep = step;
        controller.SamplingPass = sampling;
        using var _ = torch.inference_mode();
        using var output = attention.forward(hidden, null);
        for (int view = 0; view < 3; view++)
            TensorAssert.Close(Direct(attention, hidden[view], hidden[view]), output[view], 1e-5);
    }

    [Fact]
    public void UnetInstallsProcessorsOnSelfAttentionSitesOnly()
    {
        using var unet = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 1);
        var controller = new MutualAttentionController(new MutualAttentionOptions());
        unet.SetAttentionProcessors(site => site.IsSelfAttention ? new MutualSelfAttentionProcessor(controller) : ScaledDotProductAttentionProcessor.Instance);
        var sites = unet.AttentionSites();
        Assert.Equal(8, sites.Count);
        Assert.All(sites, s => Assert.Equal(s.IsSelfAttention, s.Module.Processor is MutualSelfAttentionProcessor));
        Assert.All(sites, s => Assert.EndsWith(s.IsSelfAttention ? ".attn1" : ".attn2", s.Path));
        Assert.Contains(sites, s => s.Path == "mid_block.attentions.0.transformer_blocks.0.attn1" && s.Stage == "mid_block");
    }

    /// <summary>
    /// Through a whole UNet with mutual self-attention on every self-attention site, the reference view (first of its
    /// group) gets exactly what plain self-attention gives it alone, also when targets add their own keys (the
    /// reference then attends over its tokens twice, which leaves softmax-weighted averages unchanged). The targets do
    /// change, which shows the processors were active.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InAUnet_ReferenceViewOutput_EqualsPlainSelfAttention(bool includeTargetOwnKeys)
    {
        using var unet = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 9);
        using var g = new Generator(41, CPU);
        using var views = torch.randn([3, 4, 8, 8], generator: g);
        using var context = torch.randn([1, 7, 16], generator: g).expand(3, -1, -1);
        using var t = HeldScalarOps.Hold(261.ToScalar(), held => torch.full([3], held, ScalarType.Float32));
        using var _ = torch.inference_mode();
        using var plain = unet.Forward(views, t, context);

        var controller = new MutualAttentionController(new MutualAttentionOptions
        {
            LayerPrefixes = ["down_blocks", "mid_block", "up_blocks"],
            IncludeTargetOwnKeys = includeTargetOwnKeys,
        }) { SamplingPass = true, CurrentStep = 0 };
        unet.SetAttentionProcessors(site => site.IsSelfAttention ? new MutualSelfAttentionProcessor(controller) : ScaledDotProductAttentionProcessor.Instance);
        using var mutual = unet.Forward(views, t, context);

        TensorAssert.Close(plain[0], mutual[0], 2e-5);
        Assert.True(TensorAssert.MaxAbsDiff(plain[1..], mutual[1..]) > 1e-3, "targets must see the reference");
    }
}

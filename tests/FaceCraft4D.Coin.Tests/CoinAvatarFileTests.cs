using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;

namespace FaceCraft4D.Coin.Tests;

public sealed class CoinAvatarFileTests
{
    [Fact]
    public async Task An_avatar_with_its_appearance_round_trips_and_baking_the_reference_offsets_reproduces_the_reference_render()
    {
        using var scene = new SyntheticHeadScene(size: 32, viewCount: 4);
        using var scope = torch.NewDisposeScope();
        using var avatar = FlameGaussianAvatar.Create(scene.Flame, scene.Shape, localScale: 0.7);
        using (torch.no_grad())
        {
            avatar.Parameters.ShDc.copy_(scene.Truth.Parameters.ShDc.Times(0.5)); // colours in [0.33, 0.67]: offsets do not reach the SH clamp at 0
            avatar.Parameters.OpacityLogits.FilledWith(3f);
        }
        var coin = new CoinOptions { OutputInitBound = 0.05, ReferenceView = 1 };
        using var appearance = CoinAppearance.Create(4, PositionEncoding.Fit(CanonicalPositions.Of(avatar), 3), coin, seed: 4);
        var camera = scene.HeldOutCameras[1];
        double[] white = [1.0, 1.0, 1.0];
        using var offsets = CoinInference.ReferenceOffsets(avatar, appearance);
        var withOffsets = CoinInference.Render(scene.Rasterizer, avatar, offsets, camera, white).Image;
        var consistent = CoinInference.Render(scene.Rasterizer, avatar, null, camera, white).Image;
        Assert.True(ImageLosses.Psnr(withOffsets, consistent) < 45, "the test needs visible offsets");

        using var stream = new MemoryStream();
        await CoinAvatarFile.WriteAsync(avatar, appearance, new Dictionary<string, string> { ["stage"] = "test" }, stream);
        stream.Position = 0;
        using var read = await CoinAvatarFile.ReadAsync(stream, scene.Flame);
        Assert.Equal("test", read.Metadata["stage"]);
        Assert.NotNull(read.Appearance);
        Assert.Equal(1, read.Appearance!.ReferenceView);
        var again = CoinInference.Render(scene.Rasterizer, read.Avatar, CoinInference.ReferenceOffsets(read.Avatar, read.Appearance), camera, white).Image;
        Assert.True(again.eq(withOffsets).all().item<bool>(), "a read avatar renders identically");

        CoinInference.BakeReferenceOffsets(read.Avatar, read.Appearance);
        var baked = CoinInference.Render(scene.Rasterizer, read.Avatar, null, camera, white).Image;
        double error = (baked - withOffsets).abs().max().item<float>();
        Assert.True(error < 2e-3, $"baked render differs by {error} (exact up to float rounding unless a colour hits the SH clamp)");
    }

    [Fact]
    public void A_training_state_packs_its_header_and_refuses_foreign_bytes()
    {
        var header = new TrainingStateHeader("job-1", 40, 100, "periodic", DateTimeOffset.UnixEpoch);
        var (read, checkpoint) = TrainingStateFile.Unpack(TrainingStateFile.Pack(header, [7, 8, 9]));
        Assert.Equal(header, read);
        Assert.Equal(new byte[] { 7, 8, 9 }, checkpoint.ToArray());
        Assert.Throws<InvalidDataException>(() => TrainingStateFile.Unpack([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    }
}

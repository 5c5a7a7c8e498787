using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Alignment;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests;

/// <summary>End-to-end stage 1 with the real face-api.js weights on the bundled public-domain portrait.</summary>
public sealed class PortraitPreprocessorTests : IClassFixture<PreprocessorFixture>
{
    private readonly PreprocessorFixture fixture;
    private readonly ITestOutputHelper output;

    public PortraitPreprocessorTests(PreprocessorFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture; this.output = output;
    }

    [Fact]
    public async Task Sample_portrait_gives_an_aligned_crop_landmarks_mask_and_camera()
    {
        using var photo = TestAssets.LoadPortrait();
        var options = PreprocessorFixture.Options();
        using var r = await fixture.Preprocessor.PreprocessAsync(photo, options, CancellationToken.None);

        output.WriteLine($"box {r.FaceBoxInPhoto} score {r.DetectionScore:F3}; yaw {r.Camera.YawDegrees:F1} pitch {r.Camera.PitchDegrees:F1} roll {r.Camera.RollDegrees:F1} rms {r.Camera.ReprojectionRmsPixels:F2}");
        Assert.Equal(1, r.FacesDetected);
        Assert.True(r.DetectionScore > 0.8);
        // the astronaut's face: around x 164..279, y 76..186 of the 512 x 512 photo
        Assert.InRange(r.FaceBoxInPhoto.CenterX, 200, 245);
        Assert.InRange(r.FaceBoxInPhoto.CenterY, 110, 155);
        Assert.Equal((512, 512), (r.AlignedCrop.Width, r.AlignedCrop.Height));
        Assert.Equal((512, 512), (r.Mask.Width, r.Mask.Height));
        Assert.Equal(136, r.Landmarks.Length);

        // landmarks are anatomically ordered: eyes above nose tip above mouth above chin, right eye on the image left
        float X(int i) => r.Landmarks[2 * i]; float Y(int i) => r.Landmarks[2 * i + 1];
        Assert.True(X(36) < X(39) && X(39) < X(42) && X(42) < X(45));
        Assert.True(Y(37) < Y(30) && Y(30) < Y(51) && Y(51) < Y(57) && Y(57) < Y(8));
        // eye and mouth centres land close to the alignment targets
        var targets = new FaceAligner(options.Alignment).Targets();
        double ex = Enumerable.Range(36, 6).Average(X), ey = Enumerable.Range(36, 6).Average(Y);
        Assert.InRange(ex - targets[0].X, -4, 4);
        Assert.InRange(ey - targets[0].Y, -4, 4);

        // a near-frontal portrait
        Assert.InRange(r.Camera.YawDegrees, -12, 12);
        Assert.InRange(r.Camera.PitchDegrees, -20, 20);
        Assert.InRange(r.Camera.RollDegrees, -5, 5);

        // mask: nose is foreground, top corners are background, which the white crop shows as white
        Assert.Equal(255, r.Mask[(int)X(30), (int)Y(30)].PackedValue);
        Assert.Equal(0, r.Mask[2, 2].PackedValue);
        Assert.Equal(0, r.Mask[509, 2].PackedValue);
        Assert.Equal(new Rgb24(255, 255, 255), r.WhiteBackgroundCrop[2, 2]);
        Assert.Equal(r.AlignedCrop[(int)X(30), (int)Y(30)], r.WhiteBackgroundCrop[(int)X(30), (int)Y(30)]);

        Assert.Contains("tiny_face_detector", r.DetectorBackend);
        Assert.Contains("face_landmark_68_model", r.LandmarkBackend);
        Assert.Equal("selfie-seg+guided", r.MattingBackend);
        Assert.Contains("PnP", r.CameraBackend);
        Assert.Equal("esrgan-slim-x2", r.SuperResolutionBackend); // the sample's face is enlarged about 1.9x into the crop
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public async Task Grayscale_photo_is_processed_with_replicated_channels_and_a_warning()
    {
        using var photo = TestAssets.LoadPortrait();
        using var gray = photo.CloneAs<L8>();
        using var r = await fixture.Preprocessor.PreprocessAsync(gray, PreprocessorFixture.Options(), CancellationToken.None);
        Assert.Contains(r.Warnings, w => w.Contains("grayscale"));
        var px = r.AlignedCrop[256, 256];
        Assert.True(px.R == px.G && px.G == px.B);
        Assert.InRange(r.Camera.YawDegrees, -12, 12);
    }

    [Fact]
    public async Task Photo_turned_90_degrees_is_found_by_trying_rotations()
    {
        using var photo = TestAssets.LoadPortrait();
        using var upright = await fixture.Preprocessor.PreprocessAsync(photo, PreprocessorFixture.Options(), CancellationToken.None);
        using var turned = photo.Clone(c => c.Rotate(RotateMode.Rotate90));
        using var r = await fixture.Preprocessor.PreprocessAsync(turned, PreprocessorFixture.Options(), CancellationToken.None);
        Assert.Equal(270, r.PhotoRotationDegrees);
        Assert.Contains(r.Warnings, w => w.Contains("turned 270 degrees"));
        // same face, same crop: landmarks agree with the upright run within a few pixels
        double meanDiff = Enumerable.Range(0, 136).Average(i => Math.Abs(r.Landmarks[i] - upright.Landmarks[i]));
        output.WriteLine($"mean landmark difference to the upright run: {meanDiff:F2} px");
        Assert.True(meanDiff < 4, $"mean landmark difference {meanDiff:F2}");
    }

    [Fact]
    public async Task Exif_orientation_is_applied_before_detection()
    {
        using var photo = TestAssets.LoadPortrait();
        using var upright = await fixture.Preprocessor.PreprocessAsync(photo, PreprocessorFixture.Options(), CancellationToken.None);
        using var stored = photo.Clone(c => c.Rotate(RotateMode.Rotate270)); // camera stored it sideways...
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // ...and says "turn 90 degrees clockwise to view"
        using var r = await fixture.Preprocessor.PreprocessAsync(stored, PreprocessorFixture.Options(), CancellationToken.None);
        Assert.Equal(0, r.PhotoRotationDegrees);
        Assert.Contains(r.Warnings, w => w.Contains("EXIF orientation"));
        Assert.True(Enumerable.Range(0, 136).Average(i => Math.Abs(r.Landmarks[i] - upright.Landmarks[i])) < 1);
    }

    [Fact]
    public async Task Photo_turned_90_degrees_fails_clearly_when_rotations_are_not_tried()
    {
        using var photo = TestAssets.LoadPortrait();
        using var turned = photo.Clone(c => c.Rotate(RotateMode.Rotate90));
        var e = await Assert.ThrowsAsync<PreprocessException>(() =>
            fixture.Preprocessor.PreprocessAsync(turned, PreprocessorFixture.Options(o => o.TryRotations = false), CancellationToken.None));
        output.WriteLine($"{e.Code}: {e.Message}");
        Assert.Contains(e.Reason, new[] { PreprocessFailureReason.NoFace, PreprocessFailureReason.ExtremeRotation });
        Assert.True(e.IsUserError);
    }

    [Fact]
    public async Task Plain_gradient_image_fails_with_no_face()
    {
        using var gradient = new Image<Rgb24>(400, 300);
        for (int y = 0; y < 300; y++) for (int x = 0; x < 400; x++) gradient[x, y] = new Rgb24((byte)(x * 255 / 399), (byte)(y * 255 / 299), 128);
        var e = await Assert.ThrowsAsync<PreprocessException>(() =>
            fixture.Preprocessor.PreprocessAsync(gradient, PreprocessorFixture.Options(), CancellationToken.None));
        Assert.Equal(PreprocessFailureReason.NoFace, e.Reason);
        Assert.Equal("no_face", e.Code);
        Assert.Contains("No face", e.Message);
    }

    [Fact]
    public async Task Very_small_face_fails_with_face_too_small()
    {
        using var photo = TestAssets.LoadPortrait();
        using var small = photo.Clone(c => c.Resize(240, 240)); // face about 54 px across, below the 64 px default
        var e = await Assert.ThrowsAsync<PreprocessException>(() =>
            fixture.Preprocessor.PreprocessAsync(small, PreprocessorFixture.Options(), CancellationToken.None));
        output.WriteLine($"{e.Code}: {e.Message}");
        Assert.Equal(PreprocessFailureReason.FaceTooSmall, e.Reason);
        Assert.Contains("64", e.Message);
    }

    [Fact]
    public async Task Minimum_face_size_is_configurable()
    {
        using var photo = TestAssets.LoadPortrait();
        var e = await Assert.ThrowsAsync<PreprocessException>(() =>
            fixture.Preprocessor.PreprocessAsync(photo, PreprocessorFixture.Options(o => o.MinFaceSizePixels = 300), CancellationToken.None));
        Assert.Equal(PreprocessFailureReason.FaceTooSmall, e.Reason);
    }

    [Fact]
    public async Task Several_faces_use_the_largest_and_warn()
    {
        using var photo = TestAssets.LoadPortrait();
        using var canvas = new Image<Rgb24>(900, 512, new Rgb24(200, 200, 200));
        using var smaller = photo.Clone(c => c.Resize(330, 330));
        canvas.Mutate(c => c.DrawImage(photo, new Point(0, 0), 1f).DrawImage(smaller, new Point(560, 100), 1f));
        using var r = await fixture.Preprocessor.PreprocessAsync(canvas, PreprocessorFixture.Options(), CancellationToken.None);
        Assert.Equal(2, r.FacesDetected);
        Assert.Contains(r.Warnings, w => w.Contains("2 faces"));
        Assert.InRange(r.FaceBoxInPhoto.CenterX, 200, 245); // the full-size copy on the left
    }

    [Fact]
    public async Task Face_tilted_past_the_roll_limit_fails_with_extreme_rotation()
    {
        using var photo = TestAssets.LoadPortrait();
        var e = await Assert.ThrowsAsync<PreprocessException>(() =>
            fixture.Preprocessor.PreprocessAsync(photo, PreprocessorFixture.Options(o => { o.MaxRollDegrees = 0.01; o.TryRotations = false; }), CancellationToken.None));
        Assert.Equal(PreprocessFailureReason.ExtremeRotation, e.Reason);
        Assert.Equal("extreme_rotation", e.Code);
    }

    [Fact]
    public async Task Missing_model_folder_fails_with_the_install_hint()
    {
        var e = await Assert.ThrowsAsync<PreprocessException>(() =>
            PortraitPreprocessorFactory.CreateAsync(new PreprocessOptions { FaceModelsPath = "/nonexistent/fc4d-models" }, CancellationToken.None));
        Assert.Equal(PreprocessFailureReason.ModelsMissing, e.Reason);
        Assert.False(e.IsUserError);
        Assert.Contains("npm ci --prefix infra/node", e.Message);
    }
}

using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Vision.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// The static training views of a run (Stages README, "for all later stages"): view 0 = <c>preprocess/crop-white.png</c>
/// without the torso (<see cref="ReferencePortrait"/>) resized to RenderSize (the reference portrait), the back view = <c>enhance-back-view/image.png</c>, every other view =
/// <c>enhance-view/view-XX/image.png</c>; cameras from <c>shape-prior/views.json</c>. Each view's
/// <see cref="TrainingView.Index"/> is its orbit index (the COIN embedding row) and its frame is the portrait's fitted FLAME
/// frame (the shape prior rendered the head with the fitted expression and jaw).
/// </summary>
public static class StaticViewReader
{
    /// <summary>Reads the orbit cameras (<c>shape-prior/views.json</c>).</summary>
    public static async Task<IReadOnlyList<Camera>> ReadCamerasAsync(StageJobContext context)
    {
        var json = await context.ReadRequiredAsync(StageFiles.From(PipelineStage.ShapePrior, StageFiles.Views)).ConfigureAwait(false);
        try
        {
            return CameraSet.FromJson(json.ToString()).Cameras;
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            throw new StageInputException("input-invalid", $"shape-prior/{StageFiles.Views} is not a camera file: {e.Message}", e);
        }
    }

    /// <summary>The input name of view <paramref name="view"/>'s training image.</summary>
    public static string ImageInput(int view, PipelineSettings settings) =>
        view == 0 ? StageFiles.From(PipelineStage.Preprocess, StageFiles.CropWhite)
        : view == settings.BackViewIndex ? StageFiles.From(PipelineStage.EnhanceBackView, StageFiles.Image)
        : $"{PipelineStage.EnhanceView.Slug()}/{PipelinePlan.ViewKey(view)}/{StageFiles.Image}";

    /// <summary>Reads every static view as a training view on <paramref name="device"/>.</summary>
    /// <param name="referenceAtCropSize">View 0 keeps the crop's resolution (its camera is resized to it) instead of RenderSize.</param>
    public static async Task<List<TrainingView>> ReadAsync(StageJobContext context, IReadOnlyList<Camera> cameras, FlameParameters frame, Device device, bool referenceAtCropSize = false)
    {
        var settings = context.Request.Settings;
        if (cameras.Count != settings.ViewCount)
            throw new StageInputException("input-invalid", $"views.json has {cameras.Count} cameras; the settings say {settings.ViewCount} views.");
        var views = new List<TrainingView>(cameras.Count);
        for (int k = 0; k < cameras.Count; k++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var camera = cameras[k];
            var name = ImageInput(k, settings);
            var image = k == 0
                ? (await ReferencePortrait.ReadAsync(context).ConfigureAwait(false)).Image
                : StageImageCodec.ReadRgb(await context.ReadRequiredAsync(name).ConfigureAwait(false), name);
            if (k == 0 && referenceAtCropSize) camera = camera.Resized(image.Width, image.Height);
            if (image.Width != camera.Width || image.Height != camera.Height) image = image.Resize(camera.Width, camera.Height);
            views.Add(new TrainingView { Camera = camera, Image = ToTensor(image, device), Frame = frame, Index = k, Name = name });
        }
        return views;
    }

    /// <summary>An RGB image as an [H, W, 3] float tensor in [0, 1].</summary>
    public static Tensor ToTensor(RgbImage image, Device device)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = torch.NewDisposeScope();
        return torch.tensor(image.Data, [image.Height, image.Width, 3], ScalarType.Float32).to(device).MoveToOuterDisposeScope();
    }
}

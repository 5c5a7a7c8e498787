using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Animation.Rendering;

/// <summary>A static image of the head that can colour the texture: the image, its camera and how much it counts.</summary>
/// <param name="Name">For reports (e.g. <c>source view 03</c>).</param>
/// <param name="Image">The image (its size is the camera's).</param>
/// <param name="Camera">Its camera.</param>
/// <param name="Priority">Relative weight against the other observations.</param>
/// <param name="Mask">Optional foreground mask (1 = head), same size.</param>
public sealed record TextureObservation(string Name, RgbImage Image, Camera Camera, float Priority, FloatImage? Mask = null);

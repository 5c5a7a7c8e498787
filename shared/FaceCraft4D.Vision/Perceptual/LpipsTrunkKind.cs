namespace FaceCraft4D.Vision.Perceptual;

/// <summary>The feature trunk under the LPIPS heads (the <c>lpips</c> package's <c>net</c> argument).</summary>
public enum LpipsTrunkKind
{
    /// <summary><c>net='vgg'</c>: torchvision VGG16 <c>features[0:30]</c>; taps relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 (the paper's choice).</summary>
    Vgg16,

    /// <summary><c>net='alex'</c>: torchvision AlexNet <c>features[0:12]</c>; taps relu1..relu5 (the package's default net).</summary>
    AlexNet,
}

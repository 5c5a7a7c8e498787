namespace FaceCraft4D.Metrics.Lpips;

/// <summary>The feature trunk under the LPIPS heads.</summary>
public enum LpipsTrunkKind
{
    /// <summary>torchvision VGG16 <c>features</c>; taps relu1_2, relu2_2, relu3_3, relu4_3, relu5_3. LPIPS-VGG (the paper's choice).</summary>
    Vgg16,

    /// <summary>torchvision AlexNet <c>features</c>; taps relu1..relu5 (the LPIPS default net).</summary>
    AlexNet,
}

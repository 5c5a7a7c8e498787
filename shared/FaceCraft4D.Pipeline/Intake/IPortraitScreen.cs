namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// Checks that a validated photo shows a usable face before a run starts; throws <see cref="InvalidPortraitException"/>
/// (422) when it does not.
/// </summary>
public interface IPortraitScreen
{
    /// <summary>Screens the photo; returns normally when it may become a run.</summary>
    Task ScreenAsync(ValidatedPortrait portrait, CancellationToken cancellationToken);
}

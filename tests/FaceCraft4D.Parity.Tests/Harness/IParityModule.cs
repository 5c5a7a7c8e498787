using static TorchSharp.torch;

namespace FaceCraft4D.Parity.Tests.Harness;

/// <summary>
/// Runs one upstream module's parity case through the port: builds the port from <c>case.config</c>, loads
/// <see cref="ParityCase.WeightsPath"/> through the loader production uses (strict: every key consumed, none missing),
/// makes the call the case's <c>notes</c>/<c>call</c> describe, and returns every output by its tensors-file name
/// (<c>out.&lt;name&gt;</c>). Implementations are found by reflection (public, parameterless constructor), one per
/// <see cref="Module"/> name; a case whose module has no implementation fails.
/// </summary>
public interface IParityModule
{
    /// <summary>The case.json <c>module</c> this runs, e.g. <c>liveportrait.warping_network</c>.</summary>
    string Module { get; }

    /// <summary>The outputs, keyed <c>out.&lt;name&gt;</c>; tensors are disposed by the caller.</summary>
    Task<IReadOnlyDictionary<string, Tensor>> RunAsync(ParityCase parityCase, CancellationToken cancellationToken);
}

namespace FaceCraft4D.Vision.ShapePrior;

/// <summary>Stage 2 "ShapePrior" (paper 3.1): a full head from one portrait, rendered to the orbit views with depth.</summary>
public interface IShapePrior
{
    /// <summary>Backend name recorded with the outputs (<c>template</c>, <c>panohead</c>).</summary>
    string Name { get; }

    /// <summary>Builds the head and renders the views.</summary>
    Task<ShapePriorResult> RunAsync(ShapePriorInput input, ShapePriorRequest request, CancellationToken cancellationToken);
}

using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;

namespace FaceCraft4D.GpuWorker.Endpoints;

/// <summary><c>POST /api/portraits/screen</c> (body: the image bytes): 200 with the verdict, 422 when the photo cannot work, 501 without a screener.</summary>
public static class PortraitScreenEndpoints
{
    /// <summary>Largest image accepted for screening.</summary>
    public const long MaxBytes = 25L * 1024 * 1024;

    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapPortraitScreenEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/portraits/screen", async (HttpRequest request, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            if (services.GetService<IPortraitScreener>() is not { } screener)
            {
                return Results.Problem(statusCode: StatusCodes.Status501NotImplemented, title: "No face screening",
                    detail: "This worker has no face detector (the preprocessing models are not installed).");
            }

            if (request.ContentLength is > MaxBytes)
            {
                return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large", detail: $"At most {MaxBytes} bytes.");
            }

            var image = await BinaryData.FromStreamAsync(request.Body, cancellationToken);
            var verdict = await screener.ScreenAsync(image, cancellationToken);
            return verdict.Accepted
                ? Results.Json(verdict, ContractJson.Options)
                : Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Photo cannot be used", detail: verdict.Message,
                    extensions: new Dictionary<string, object?> { ["reason"] = verdict.ReasonCode, ["backend"] = verdict.Backend });
        });
        return app;
    }
}

using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Stages;

namespace FaceCraft4D.GpuWorker.Endpoints;

/// <summary>
/// <c>POST /api/portraits/screen</c> (body: the image bytes): 200 with the verdict, 422 when the photo cannot work, 501 without
/// a screener. Before the detector sees it, the body goes through the same <see cref="PortraitValidator"/> as the API's
/// uploads (configuration <c>Fc4d:Uploads</c>): size (from Content-Length when sent, and always while reading), format,
/// dimensions from the header, a full decode under the decode concurrency limit. A refusal answers its status (400, 413,
/// 503) with the validator's reason.
/// </summary>
public static class PortraitScreenEndpoints
{
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

            var validator = services.GetRequiredService<PortraitValidator>();
            var maxBytes = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PortraitValidationOptions>>().Value.MaxBytes;
            BinaryData image;
            try
            {
                if (request.ContentLength is { } declared && declared > maxBytes)
                {
                    throw BoundedStreamReader.TooLarge(declared, maxBytes);
                }

                image = await BoundedStreamReader.ReadAtMostAsync(request.Body, maxBytes, cancellationToken);
                validator.Validate(image);
            }
            catch (InvalidPortraitException e)
            {
                return Results.Problem(statusCode: e.StatusCode, title: "Invalid portrait", detail: e.Message,
                    extensions: new Dictionary<string, object?> { ["reason"] = e.ReasonCode });
            }

            var verdict = await screener.ScreenAsync(image, cancellationToken);
            return verdict.Accepted
                ? Results.Json(verdict, ContractJson.Options)
                : Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Photo cannot be used", detail: verdict.Message,
                    extensions: new Dictionary<string, object?> { ["reason"] = verdict.ReasonCode, ["backend"] = verdict.Backend });
        });
        return app;
    }
}

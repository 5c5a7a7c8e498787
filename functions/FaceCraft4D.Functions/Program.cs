using FaceCraft4D.Api;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Azure Functions (v4, isolated worker, ASP.NET Core integration): the same orchestrations, activities and HTTP
// handlers as the local host, on the Durable Functions extension.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// The caller from App Service authentication (X-MS-CLIENT-PRINCIPAL), when Fc4d:Auth:TrustPlatformPrincipal is set.
builder.UseMiddleware<FaceCraft4D.Functions.PlatformPrincipalMiddleware>();
builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights();

// Every HTTP function carries the "api" route prefix (host.json), the viewer too (AvatarViewerFunctions).
// Registered before the configuration binding, so an app setting Fc4d__Api__ViewerPath still wins.
builder.Services.Configure<ApiOptions>(o => o.ViewerPath = "/api/viewer/avatars/{id}");
builder.Services.AddFc4dApi(builder.Configuration);
builder.Build().Run();

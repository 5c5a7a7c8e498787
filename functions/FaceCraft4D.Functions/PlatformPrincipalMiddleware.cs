using FaceCraft4D.Api.Identity;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Functions;

/// <summary>
/// Puts the caller that App Service authentication (Entra ID, <c>authsettingsV2</c> in the Bicep) forwards in
/// <c>X-MS-CLIENT-PRINCIPAL</c> on <c>HttpContext.User</c>, where <see cref="RequestCaller"/> reads it. Only when
/// <see cref="PlatformAuthOptions.TrustPlatformPrincipal"/> is set (the platform then strips client-sent copies of the
/// header); otherwise the header is ignored and every API request is unauthenticated (401).
/// </summary>
public sealed class PlatformPrincipalMiddleware(IOptions<PlatformAuthOptions> options) : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (options.Value.TrustPlatformPrincipal && context.GetHttpContext() is { } http
            && ClientPrincipalHeader.Parse(http.Request.Headers[ClientPrincipalHeader.Name].ToString()) is { } principal)
        {
            http.User = principal;
        }

        return next(context);
    }
}

using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Template;

namespace Propeller.Manager.Api;

/// <summary>
/// Answers every request no route took, as JSON that says what to change: 405 (with <c>Allow</c>) when the path is
/// a route that takes other methods, 415 when it takes another content type, 404 otherwise. The catch-all covers
/// paths that look like files (<c>/x.json</c>) too: ASP.NET's own answers there would be bare statuses, and a
/// route refused for its method or content type would otherwise read "no such route".
/// </summary>
public static class UnmatchedRequests
{
    public static IEndpointRouteBuilder MapUnmatchedRequests(this IEndpointRouteBuilder app)
    {
        app.MapFallback("{*path}", Answer).ExcludeFromDescription();
        return app;
    }

    private static IResult Answer(HttpContext context, EndpointDataSource endpoints)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var routes = endpoints.Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null && Matches(e, request.Path))
            .ToList();
        if (routes.Count == 0)
        {
            return ErrorHandling.Error(StatusCodes.Status404NotFound, "no such route; see docs/api.md or GET /openapi/v1.json for the routes");
        }

        var methods = routes.SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var shown = Shorten(path);
        if (!methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
        {
            context.Response.Headers.Allow = string.Join(", ", methods);
            return ErrorHandling.Error(StatusCodes.Status405MethodNotAllowed, $"{Shorten(request.Method)} is not allowed on {shown}; use {string.Join(" or ", methods)} (see docs/api.md)");
        }

        var accepted = routes
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
            .SelectMany(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var sent = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type {Shorten(request.ContentType)}";
        return ErrorHandling.Error(
            StatusCodes.Status415UnsupportedMediaType,
            $"{request.Method} {shown} takes Content-Type {string.Join(" or ", accepted.DefaultIfEmpty("of another kind"))}, not {sent}; with curl add -H \"Content-Type: application/json\"");
    }

    /// <summary>The path as the server decoded it: a string would be decoded again (and "%00" in it would throw).</summary>
    private static bool Matches(RouteEndpoint endpoint, PathString path) =>
        new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), []).TryMatch(path, []);

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";
}

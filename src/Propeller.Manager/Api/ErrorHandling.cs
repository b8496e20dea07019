using System.Text.Json;
using Propeller.Core.Api;
using Propeller.Core.Json;

namespace Propeller.Manager.Api;

/// <summary>
/// The one place where failures become HTTP answers: <c>{"error": "…"}</c> with upstream's status codes.
/// A client's mistake is always a 4xx that says what to fix (and is not logged as a failure); only the
/// manager's own faults are 500s, logged with their stack.
/// </summary>
public static class ErrorHandling
{
    public static IApplicationBuilder UsePropellerErrors(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception exception) when (!context.Response.HasStarted)
            {
                var (status, message) = StatusFor(exception, context.RequestAborted);
                if (status >= 500)
                {
                    context.RequestServices.GetRequiredService<ILoggerFactory>()
                        .CreateLogger("Propeller.Manager.Api")
                        .LogError(exception, "Request {method} {path} failed", context.Request.Method, context.Request.Path);
                }

                context.Response.Clear();
                await Error(status, message).ExecuteAsync(context);
            }
        });

    public static IResult Error(int status, string message) =>
        TypedResults.Json(new ErrorResponse(message), PropellerJsonContext.Default.ErrorResponse, statusCode: status);

    private static (int Status, string Message) StatusFor(Exception exception, CancellationToken requestAborted) => exception switch
    {
        ApiError e => (e.Status, e.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, "the request body is larger than this manager accepts (MANAGER_MAX_UPLOAD_MB)"),
        BadHttpRequestException e => (e.StatusCode, $"bad request: {e.Message}"),
        JsonException e => (StatusCodes.Status400BadRequest, JsonErrors.Describe(e)),
        OperationCanceledException when requestAborted.IsCancellationRequested => (StatusCodes.Status400BadRequest, "the request was aborted by the client"),
        _ => (StatusCodes.Status500InternalServerError, "internal error in the manager; its log has the details"),
    };
}

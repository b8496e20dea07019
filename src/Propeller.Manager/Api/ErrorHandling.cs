using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Propeller.Core.Api;
using Propeller.Core.Json;

namespace Propeller.Manager.Api;

/// <summary>
/// The one place where failures become HTTP answers: <c>{"error": "…"}</c> with upstream's status codes.
/// A client's mistake is always a 4xx that says what to fix; only the manager's own faults are 500s.
/// </summary>
public static class ErrorHandling
{
    public static IApplicationBuilder UsePropellerErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteErrorAsync,
            // Status codes the handler writes are the answer, not a reason to re-run the pipeline.
            StatusCodeSelector = ex => StatusFor(ex).Status,
        });

    public static IResult Error(int status, string message) =>
        TypedResults.Json(new ErrorResponse(message), PropellerJsonContext.Default.ErrorResponse, statusCode: status);

    private static async Task WriteErrorAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var (status, message) = StatusFor(exception);
        if (status >= 500)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>()
                .CreateLogger("Propeller.Manager.Api")
                .LogError(exception, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
        }

        context.Response.StatusCode = status;
        await Error(status, message).ExecuteAsync(context);
    }

    private static (int Status, string Message) StatusFor(Exception? exception) => exception switch
    {
        ApiError e => (e.Status, e.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, "the request body is larger than this manager accepts (MANAGER_MAX_UPLOAD_MB)"),
        BadHttpRequestException e => (e.StatusCode, $"bad request: {e.Message}"),
        InvalidDataException e => (StatusCodes.Status400BadRequest, $"the multipart body is malformed: {e.Message}"),
        JsonException e => (StatusCodes.Status400BadRequest, JsonErrors.Describe(e)),
        OperationCanceledException => (499, "the request was cancelled"),
        _ => (StatusCodes.Status500InternalServerError, "internal error in the manager; its log has the details"),
    };
}

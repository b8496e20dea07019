using Microsoft.OpenApi;
using Propeller.Core.Api;
using Propeller.Core.Json;
using Propeller.Core.Tasks;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Api;

/// <summary>The task routes, upstream's paths and shapes. Rules live in <see cref="TaskService"/>.</summary>
public static class TasksApi
{
    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/tasks").WithTags("tasks");
        tasks.MapPost("/", CreateAsync)
            .WithSummary("Create a task (state Pending); cli_args and env can only be set here")
            .Accepts<TaskRequest>("application/json").Produces<PropellerTask>(StatusCodes.Status201Created).WithErrors(400, 413, 415);
        tasks.MapGet("/", ListAsync)
            .WithSummary("List tasks, newest first; listings leave the module (file) out")
            .WithQuery("offset", JsonSchemaType.Integer, "skip this many (default 0)")
            .WithQuery("limit", JsonSchemaType.Integer, "at most this many, 1-100 (default 100)")
            .WithQuery("state", JsonSchemaType.String, "only tasks in this state: 0-6 or pending, scheduled, running, completed, failed, skipped, interrupted")
            .Produces<TaskPage>().WithErrors(400);
        tasks.MapGet("/{id}", GetAsync)
            .WithSummary("One task, its module (file, base64) included unless file=false")
            .WithQuery("file", JsonSchemaType.Boolean, "false leaves the module out (for clients that follow a task's state)")
            .Produces<PropellerTask>().WithErrors(400, 404);
        tasks.MapPut("/{id}", UpdateAsync)
            .WithSummary("Change the fields present; cli_args and env cannot change; not while it runs")
            .Accepts<TaskRequest>("application/json").Produces<PropellerTask>().WithErrors(400, 404, 409, 413, 415);
        tasks.MapDelete("/{id}", DeleteAsync)
            .WithSummary("Delete a task that does not run").Produces(StatusCodes.Status204NoContent).WithErrors(400, 404, 409);
        tasks.MapPut("/{id}/upload", UploadAsync).DisableAntiforgery()
            .WithSummary("Upload the task's WebAssembly module: multipart form data, part 'file' (curl -F \"file=@x.wasm\")")
            .WithModuleUpload().Produces<PropellerTask>().WithErrors(400, 404, 409, 413, 415);
        tasks.MapPost("/{id}/start", StartAsync)
            .WithSummary("Place the task on a proplet; 409 with pending_reason when none can take it now (it waits)")
            .Produces<StartResponse>().WithErrors(400, 404, 409, 503);
        tasks.MapPost("/{id}/stop", StopAsync)
            .WithSummary("Stop a running or waiting task; it ends Interrupted").Produces<StopResponse>().WithErrors(400, 404, 409, 503);
        tasks.MapGet("/{id}/results", ResultsAsync)
            .WithSummary("The task's results: for command modules, the guest's standard output").Produces<ResultsResponse>().WithErrors(400, 404);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, TaskService service, CancellationToken ct)
    {
        var task = await service.CreateAsync(await RequestReading.TaskRequestAsync(request, ct), ct);
        return Task(task, StatusCodes.Status201Created, location: $"/tasks/{task.Id}");
    }

    private static async Task<IResult> ListAsync(HttpRequest request, TaskService service, CancellationToken ct)
    {
        var (offset, limit) = RequestReading.Page(request);
        var page = await service.ListAsync(offset, limit, State(request), ct);
        return TypedResults.Json(page, PropellerJsonContext.Default.TaskPage);
    }

    private static async Task<IResult> GetAsync(string id, HttpRequest request, TaskService service, CancellationToken ct)
    {
        var task = await service.GetAsync(RequestReading.TaskId(id), ct);
        if (!WithFile(request))
        {
            task.File = null;
        }

        return Task(task);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, TaskService service, CancellationToken ct)
    {
        var taskId = RequestReading.TaskId(id);
        return Task(await service.UpdateAsync(taskId, await RequestReading.TaskRequestAsync(request, ct), ct));
    }

    private static async Task<IResult> DeleteAsync(string id, TaskService service, CancellationToken ct)
    {
        await service.DeleteAsync(RequestReading.TaskId(id), ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> UploadAsync(string id, HttpRequest request, TaskService service, CancellationToken ct)
    {
        var taskId = RequestReading.TaskId(id);
        var module = await RequestReading.UploadedModuleAsync(request, ct);
        return Task(await service.UploadAsync(taskId, module, ct));
    }

    private static async Task<IResult> StartAsync(string id, TaskService service, CancellationToken ct)
    {
        await service.StartAsync(RequestReading.TaskId(id), ct);
        return TypedResults.Json(new StartResponse(true), PropellerJsonContext.Default.StartResponse);
    }

    private static async Task<IResult> StopAsync(string id, TaskService service, CancellationToken ct)
    {
        await service.StopAsync(RequestReading.TaskId(id), ct);
        return TypedResults.Json(new StopResponse(true), PropellerJsonContext.Default.StopResponse);
    }

    private static async Task<IResult> ResultsAsync(string id, TaskService service, CancellationToken ct)
    {
        var task = await service.GetAsync(RequestReading.TaskId(id), ct);
        return TypedResults.Json(new ResultsResponse(task.Results), PropellerJsonContext.Default.ResultsResponse);
    }

    private static IResult Task(PropellerTask task, int status = StatusCodes.Status200OK, string? location = null)
    {
        var result = TypedResults.Json(task, PropellerJsonContext.Default.PropellerTask, statusCode: status);
        return location is null ? result : new WithLocation(result, location);
    }

    /// <summary><c>?file=false</c>: a client polling a task's state need not download its module each time.</summary>
    private static bool WithFile(HttpRequest request) => request.Query["file"].ToString().ToLowerInvariant() switch
    {
        "" or "true" => true,
        "false" => false,
        var other => throw ApiError.BadRequest($"file='{(other.Length > 16 ? other[..16] + "…" : other)}' is not valid: use true or false"),
    };

    private static TaskState? State(HttpRequest request)
    {
        var text = request.Query["state"].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (int.TryParse(text, out var number) && Enum.IsDefined((TaskState)number))
        {
            return (TaskState)number;
        }

        // Enum.TryParse also reads "pending,completed" as the two values OR-ed together (3, completed): one name only.
        return !text.Contains(',', StringComparison.Ordinal) && Enum.TryParse<TaskState>(text, ignoreCase: true, out var named) && Enum.IsDefined(named) && !int.TryParse(text, out _)
            ? named
            : throw ApiError.BadRequest($"state='{(text.Length > 64 ? text[..64] + "…" : text)}' is not a task state: use 0-6 or pending, scheduled, running, completed, failed, skipped, interrupted");
    }

    /// <summary>Adds a Location header to a JSON result (201 Created with the task as upstream returns it).</summary>
    private sealed class WithLocation(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}

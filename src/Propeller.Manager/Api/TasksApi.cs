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
        var tasks = app.MapGroup("/tasks");
        tasks.MapPost("/", CreateAsync);
        tasks.MapGet("/", ListAsync);
        tasks.MapGet("/{id}", GetAsync);
        tasks.MapPut("/{id}", UpdateAsync);
        tasks.MapDelete("/{id}", DeleteAsync);
        tasks.MapPut("/{id}/upload", UploadAsync).DisableAntiforgery();
        tasks.MapPost("/{id}/start", StartAsync);
        tasks.MapPost("/{id}/stop", StopAsync);
        tasks.MapGet("/{id}/results", ResultsAsync);
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

    private static async Task<IResult> GetAsync(string id, TaskService service, CancellationToken ct) =>
        Task(await service.GetAsync(RequestReading.TaskId(id), ct));

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

        return Enum.TryParse<TaskState>(text, ignoreCase: true, out var named) && !int.TryParse(text, out _)
            ? named
            : throw ApiError.BadRequest($"state='{text}' is not a task state: use 0-6 or pending, scheduled, running, completed, failed, skipped, interrupted");
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

using System.Text.Json;

namespace Propeller.Core.Tasks;

/// <summary>
/// The body of <c>POST /tasks</c> and <c>PUT /tasks/{id}</c>: the fields a user may set.
/// A field left out (null) is not changed by an update. Unknown fields are ignored, as upstream does.
/// </summary>
public sealed class TaskRequest
{
    public string? Name { get; set; }

    public string? ImageUrl { get; set; }

    public byte[]? File { get; set; }

    public List<string>? CliArgs { get; set; }

    public List<JsonElement>? Inputs { get; set; }

    public Dictionary<string, string>? Env { get; set; }

    public bool? Daemon { get; set; }

    /// <summary>A duration (<c>"30s"</c>, <c>"1m30s"</c>) or a number of seconds (<c>30</c>, <c>0.5</c>).</summary>
    public JsonElement? Timeout { get; set; }

    public bool? Encrypted { get; set; }

    public string? PropletId { get; set; }

    /// <summary>How often the task may be placed again when its proplet is lost mid-run (0 to 10).</summary>
    public int? MaxRetries { get; set; }
}

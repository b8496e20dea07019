using System.Text.Json;
using System.Text.Json.Serialization;

namespace Propeller.Core.Tasks;

/// <summary>
/// A unit of work as the REST API shows it. Field names and shapes are upstream Propeller's
/// (snake_case JSON, integer <see cref="State"/>, RFC 3339 times with the zero time when unset),
/// so users' curl lines and scripts keep working.
/// </summary>
public sealed class PropellerTask
{
    public Guid Id { get; set; }

    /// <summary>Display name; in the embedded runtime also the exported function to call.</summary>
    public string Name { get; set; } = "";

    public TaskState State { get; set; }

    public string? ImageUrl { get; set; }

    /// <summary>The WebAssembly module (base64 in JSON).</summary>
    public byte[]? File { get; set; }

    /// <summary>Runtime arguments placed before the module, e.g. <c>["-S","nn","--dir=/models::fixture"]</c>. Fixed at creation.</summary>
    public List<string>? CliArgs { get; set; }

    /// <summary>Arguments for the guest (numbers or strings), placed after the module.</summary>
    public List<JsonElement>? Inputs { get; set; }

    /// <summary>Environment variables for the guest. Fixed at creation.</summary>
    public Dictionary<string, string>? Env { get; set; }

    public bool Daemon { get; set; }

    /// <summary>
    /// How long one run may take before the proplet stops it ("deadline exceeded"), as a duration such
    /// as <c>30s</c> or <c>1m30s</c>; absent means the proplet's default (<c>PROPLET_TASK_TIMEOUT</c>). Not in upstream.
    /// </summary>
    public string? Timeout { get; set; }

    public bool Encrypted { get; set; }

    /// <summary>The proplet the task is pinned to (when set by the user) or ran on.</summary>
    public string? PropletId { get; set; }

    /// <summary>True when the user chose <see cref="PropletId"/>; false when the scheduler did.</summary>
    [JsonIgnore]
    public bool Pinned { get; set; }

    /// <summary>What the task produced: the guest's standard output for command modules.</summary>
    public JsonElement? Results { get; set; }

    /// <summary>Why the task failed, in words that say what to do.</summary>
    public string? Error { get; set; }

    /// <summary>Why a Pending task is still waiting (e.g. no proplet alive); absent otherwise. Not in upstream.</summary>
    public string? PendingReason { get; set; }

    public DateTime StartTime { get; set; }

    public DateTime FinishTime { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    // Not in upstream: after upstream's fields, so its field order is kept; the counters are left out while 0.
    /// <summary>
    /// How often the task may be placed again after its proplet was lost mid-run (default 0: it fails
    /// with "proplet … lost"). Not in upstream.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int MaxRetries { get; set; }

    /// <summary>
    /// Numbers the task's placements on proplets (0: never placed); each start and each retry takes the next one,
    /// so a proplet tells a new run from a redelivered start, and the manager tells a current result from a late one.
    /// Not in upstream.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Attempt { get; set; }

    /// <summary>How often the task was placed again after a lost proplet since a user last started it. Not in upstream.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Retries { get; set; }

    /// <summary>Every state change with its time, oldest first. Not in upstream.</summary>
    public List<TaskTransition> Transitions { get; set; } = [];
}

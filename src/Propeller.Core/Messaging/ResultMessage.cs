using System.Text.Json;

namespace Propeller.Core.Messaging;

/// <summary>Proplet → manager on <c>control/proplet/results</c> when a task ends.</summary>
public sealed class ResultMessage
{
    public Guid TaskId { get; set; }

    public string PropletId { get; set; } = "";

    public JsonElement? Results { get; set; }

    /// <summary>Empty or absent when the task succeeded.</summary>
    public string? Error { get; set; }

    /// <summary>The placement this result belongs to (<see cref="StartMessage.Attempt"/>); a result of an older one is ignored.</summary>
    public int? Attempt { get; set; }

    /// <summary>True when the proplet no longer knows a run it had confirmed (it restarted): the run is lost, not failed by the guest.</summary>
    public bool? Lost { get; set; }

    /// <summary>The guest's exit code when it ran as a command (not in upstream; informative).</summary>
    public int? ExitCode { get; set; }
}

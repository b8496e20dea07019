using System.Text.Json;

namespace Propeller.Core.Messaging;

/// <summary>Manager → proplets on <c>control/manager/start</c>: what a proplet needs to run a task.</summary>
public sealed class StartMessage
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The module, base64 in JSON (upstream sends it inline).</summary>
    public byte[]? File { get; set; }

    public string? ImageUrl { get; set; }

    public List<JsonElement>? Inputs { get; set; }

    public List<string>? CliArgs { get; set; }

    public Dictionary<string, string>? Env { get; set; }

    public bool Daemon { get; set; }

    /// <summary>The task's run deadline as a duration (<c>30s</c>); absent means the proplet's default.</summary>
    public string? Timeout { get; set; }

    /// <summary>The proplet that must run it; every other proplet ignores the message.</summary>
    public string PropletId { get; set; } = "";
}

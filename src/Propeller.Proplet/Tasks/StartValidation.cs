using Propeller.Core.Messaging;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// What a start message must hold before a run is tried. The manager checks a task's fields when it is created,
/// but anything that can publish on the broker can send a start: JSON nulls inside its lists would reach the runtime
/// as null references (with JavaScriptCore loaded, a NullReferenceException can take the whole process down).
/// </summary>
public static class StartValidation
{
    /// <summary>Null when the message can be run, else what is wrong with it, for the task's error.</summary>
    public static string? Problem(StartMessage start)
    {
        if (start.CliArgs is { } cliArgs && cliArgs.IndexOf(null!) is var arg and >= 0)
        {
            return $"the start message is malformed: cli_args[{arg}] is null";
        }

        if (start.Env is { } env && env.FirstOrDefault(e => e.Value is null) is { Key: { } name })
        {
            return $"the start message is malformed: env.{name} is null";
        }

        return null;
    }
}

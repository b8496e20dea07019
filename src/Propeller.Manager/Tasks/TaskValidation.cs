using System.Text.Json;
using Propeller.Core.Commands;
using Propeller.Core.Tasks;

namespace Propeller.Manager.Tasks;

/// <summary>Checks what a user sends before it is stored; every message names the field and the fix.</summary>
public static class TaskValidation
{
    public const int MaxNameLength = 256;
    public const int MaxListItems = 1024;
    public const int MaxItemLength = 8192;

    /// <summary>The longest run deadline a task may ask for.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(7);

    /// <summary>Enough to ride out a few lost proplets; more would hide a task that kills every proplet it lands on.</summary>
    public const int MaxRetries = 10;

    /// <summary>
    /// The task's <c>timeout</c> as a canonical duration (<c>"90"</c> and <c>90</c> become <c>"1m30s"</c>),
    /// or null when absent. A number is seconds; a string is a duration such as <c>30s</c> or <c>500ms</c>.
    /// </summary>
    public static string? NormalizeTimeout(JsonElement? timeout)
    {
        if (timeout is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var duration = TimeSpan.Zero;
        var readable = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out var seconds) && Core.Configuration.Duration.TryParse(
                seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), out duration),
            JsonValueKind.String => Core.Configuration.Duration.TryParse(TextOf(value, "timeout"), out duration),
            _ => false,
        };
        if (!readable)
        {
            throw ApiError.BadRequest($"timeout {Shown(value)} is not a duration; send seconds (30) or a duration such as \"30s\", \"1m30s\" or \"500ms\"");
        }

        // Timeouts are stored and sent to proplets to the millisecond: a shorter one would be sent as "0s", which a
        // proplet reads as "no timeout" and runs the task under its own default instead.
        duration = TimeSpan.FromMilliseconds(Math.Round(duration.TotalMilliseconds));
        if (duration <= TimeSpan.Zero || duration > MaxTimeout)
        {
            throw ApiError.BadRequest($"timeout must be more than 0 (at least 1ms) and at most {Core.Configuration.Duration.Format(MaxTimeout)}; {Shown(value)} was sent");
        }

        return Core.Configuration.Duration.Format(duration);
    }

    /// <param name="maxModuleBytes">MANAGER_MAX_UPLOAD_MB: a module sent inline as <c>file</c> may be no larger than an uploaded one.</param>
    public static void Validate(TaskRequest request, bool creating, long maxModuleBytes)
    {
        if (creating && string.IsNullOrWhiteSpace(request.Name))
        {
            throw ApiError.BadRequest("name is required: send a JSON object such as {\"name\": \"hello\"}");
        }

        if (request.Name is not null)
        {
            if (request.Name.Trim().Length == 0)
            {
                throw ApiError.BadRequest("name must not be empty");
            }

            if (request.Name.Length > MaxNameLength)
            {
                throw ApiError.BadRequest($"name is {request.Name.Length} characters long; at most {MaxNameLength} are allowed");
            }

            if (request.Name.Any(char.IsControl))
            {
                throw ApiError.BadRequest("name must not contain control characters");
            }
        }

        _ = NormalizeTimeout(request.Timeout);

        if (request.CliArgs is { } cliArgs)
        {
            CheckList("cli_args", cliArgs.Count);
            for (var i = 0; i < cliArgs.Count; i++)
            {
                CheckText($"cli_args[{i}]", cliArgs[i]);
            }

            if (creating)
            {
                CheckCliArgs(cliArgs);
            }
        }

        if (request.Inputs is { } inputs)
        {
            CheckList("inputs", inputs.Count);
            for (var i = 0; i < inputs.Count; i++)
            {
                var kind = inputs[i].ValueKind;
                if (kind is not (JsonValueKind.Number or JsonValueKind.String))
                {
                    throw ApiError.BadRequest($"inputs[{i}] is {kind.ToString().ToLowerInvariant()}; inputs must be numbers or strings, e.g. [1, 2] or [\"a.txt\"]");
                }

                if (kind == JsonValueKind.String)
                {
                    CheckText($"inputs[{i}]", TextOf(inputs[i], $"inputs[{i}]"));
                }
            }
        }

        if (request.Env is { } env)
        {
            CheckList("env", env.Count);
            foreach (var (key, value) in env)
            {
                if (key.Length == 0 || key.Contains('=') || key.Contains('\0'))
                {
                    throw ApiError.BadRequest($"env key '{key}' is not a valid variable name (it must be non-empty, without '=' or NUL)");
                }

                CheckText($"env.{key}", value);
            }
        }

        if (request.File is { } file && WasmModule.Describe(file) is { } problem)
        {
            throw ApiError.BadRequest($"file: {problem}");
        }

        if (request.File is { Length: var fileBytes } && fileBytes > maxModuleBytes)
        {
            throw ApiError.TooLarge($"file is {fileBytes} bytes; this manager accepts modules of at most {maxModuleBytes} bytes (MANAGER_MAX_UPLOAD_MB)");
        }

        if (request.ImageUrl is { Length: > MaxItemLength })
        {
            throw ApiError.BadRequest($"image_url is longer than {MaxItemLength} characters");
        }

        if (request.MaxRetries is < 0 or > MaxRetries)
        {
            throw ApiError.BadRequest($"max_retries must be from 0 to {MaxRetries}; {request.MaxRetries} was sent");
        }

        if (request.PropletId is { } propletId && (propletId.Length > MaxNameLength || propletId.Any(char.IsControl)))
        {
            throw ApiError.BadRequest("proplet_id must be a proplet's id as GET /proplets lists it");
        }
    }

    /// <summary>
    /// cli_args are read by the runtime grammar every proplet uses, so a flag no proplet would pass on is
    /// refused now rather than failing the task on the proplet later. Which host directories a proplet
    /// lets tasks map is that proplet's policy (PROPLET_ALLOWED_DIRS), checked there.
    /// </summary>
    private static void CheckCliArgs(IReadOnlyList<string> cliArgs)
    {
        try
        {
            _ = WasmCommandLine.ParseCliArgs(cliArgs);
        }
        catch (WasmCommandLineException e)
        {
            throw ApiError.BadRequest($"cli_args: {e.Message}");
        }
    }

    /// <summary>
    /// A JSON string's text. The parser keeps strings of free-form values (inputs, timeout) unread, so an unpaired
    /// surrogate escape (<c>"\ud800"</c>) or bytes that are not UTF-8 surface only here: the client's mistake.
    /// </summary>
    private static string? TextOf(JsonElement value, string field)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            throw ApiError.BadRequest($"{field} is not valid text: it holds bytes that are not UTF-8 or an unpaired surrogate escape such as \\ud800; send UTF-8 JSON");
        }
    }

    /// <summary>A value as the client wrote it, for an error message: cut short, and never throwing on text that is not UTF-8.</summary>
    private static string Shown(JsonElement value)
    {
        try
        {
            var raw = value.GetRawText();
            return raw.Length <= 100 ? raw : raw[..100] + "…";
        }
        catch (InvalidOperationException)
        {
            return $"(a JSON {value.ValueKind.ToString().ToLowerInvariant()} holding bytes that are not UTF-8)";
        }
    }

    private static void CheckList(string field, int count)
    {
        if (count > MaxListItems)
        {
            throw ApiError.BadRequest($"{field} has {count} entries; at most {MaxListItems} are allowed");
        }
    }

    private static void CheckText(string field, string? value)
    {
        if (value is null)
        {
            throw ApiError.BadRequest($"{field} is null; it must be a string");
        }

        if (value.Length > MaxItemLength)
        {
            throw ApiError.BadRequest($"{field} is {value.Length} characters long; at most {MaxItemLength} are allowed");
        }

        if (value.Contains('\0'))
        {
            throw ApiError.BadRequest($"{field} contains a NUL character, which no process argument or variable can hold");
        }
    }
}

using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Propeller.Core.Json;
using Propeller.Core.Tasks;

namespace Propeller.Cli;

/// <summary>The task fields as options, and how their text becomes a <see cref="TaskRequest"/>'s values.</summary>
public static partial class TaskArguments
{
    public static Option<string[]> CliArgs() => new("--cli-args")
    {
        Description = "Runtime arguments placed before the module, comma-separated and/or repeated; fixed at creation. " +
                      "Prefer --cli-args=\"-S,nn\" (with =): then a value starting with '-' is never taken for an option",
        HelpName = "a,b,c",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string[]> Env()
    {
        var option = new Option<string[]>("--env", "-e")
        {
            Description = "An environment variable for the guest, NAME=VALUE; repeat for more; fixed at creation",
            HelpName = "NAME=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                var eq = token.Value.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    result.AddError($"--env '{token.Value}' is not NAME=VALUE (e.g. --env GREETING=hello)");
                }
            }
        });
        return option;
    }

    public static Option<string[]> Inputs() => new("--inputs")
    {
        Description = "Arguments for the guest, comma-separated and/or repeated; numbers are sent as JSON numbers, the rest as strings",
        HelpName = "1,2",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string> File(string description) => new("--file", "-f")
    {
        Description = description,
        HelpName = "module.wasm",
    };

    public static Option<string> ImageUrl() => new("--image-url")
    {
        Description = "Where proplets fetch the module instead of an uploaded file (an OCI image reference or URL)",
        HelpName = "url",
    };

    public static Option<bool> Daemon() => new("--daemon")
    {
        Description = "Run as a long-lived service (--daemon or --daemon true / false)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Option<string> Timeout() => new("--timeout")
    {
        Description = "How long one run may take before the proplet stops it: seconds (30) or a duration (30s, 1m30s, 500ms)",
        HelpName = "duration",
    };

    /// <summary>--timeout as the API takes it: a JSON string the manager validates and normalises.</summary>
    public static System.Text.Json.JsonElement? TimeoutValue(string? text) =>
        text is null ? null : System.Text.Json.JsonSerializer.SerializeToElement(text, Core.Json.PropellerJsonContext.Default.String);

    public static Option<int?> MaxRetries() => new("--max-retries")
    {
        Description = "How often to place the task again when its proplet is lost mid-run (0-10; default 0: it fails)",
        HelpName = "n",
    };

    public static Option<string> PropletId(bool updating = false) => new("--proplet-id")
    {
        Description = updating ? "Pin the task to this proplet (see: proplets list); \"\" unpins it" : "Pin the task to this proplet (see: proplets list)",
        HelpName = "id",
    };

    public static Argument<string> TaskId()
    {
        var argument = new Argument<string>("id") { Description = "The task's id (a UUID, as tasks list shows it)" };
        argument.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("the task id must not be empty");
            }
        });
        return argument;
    }

    /// <summary>"a,b" and a second "c" → ["a","b","c"]; nothing is trimmed or dropped (an empty item stays "").</summary>
    public static List<string> SplitList(IEnumerable<string> values) =>
        [.. values.SelectMany(v => v.Split(','))];

    /// <summary>Each item becomes a JSON number when it is written as one (1, -2.5, 1e3), else a JSON string. "" alone is the empty list.</summary>
    public static List<JsonElement> ParseInputs(IEnumerable<string> values)
    {
        var list = values.ToList();
        if (list is [""])
        {
            return [];
        }

        return [.. SplitList(list).Select(Input)];
    }

    public static JsonElement Input(string text) =>
        JsonNumber().IsMatch(text)
            ? JsonDocument.Parse(text).RootElement.Clone()
            : JsonSerializer.SerializeToElement(text, PropellerJsonContext.Default.String);

    /// <summary>NAME=VALUE pairs (split at the first '='; the value may hold more). A later NAME wins.</summary>
    public static Dictionary<string, string> ParseEnv(IEnumerable<string> values)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in values)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            env[pair[..eq]] = pair[(eq + 1)..];
        }

        return env;
    }

    /// <summary>Parses --state: 0-6 or a state's name (any case).</summary>
    public static Option<TaskState?> State() => new("--state")
    {
        Description = "Only tasks in this state: 0-6 or pending, scheduled, running, completed, failed, skipped, interrupted",
        HelpName = "state",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (int.TryParse(text, out var number) ? Enum.IsDefined((TaskState)number) : Enum.TryParse<TaskState>(text, ignoreCase: true, out _))
            {
                return int.TryParse(text, out number) ? (TaskState)number : Enum.Parse<TaskState>(text, ignoreCase: true);
            }

            result.AddError($"--state '{text}' is not a task state: use 0-6 or pending, scheduled, running, completed, failed, skipped, interrupted");
            return null;
        },
    };

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}

using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Net;
using Propeller.Sdk;

namespace Propeller.Cli;

/// <summary>
/// propeller-cli: the manager's REST API as commands. Every failure is one line on stderr,
/// <c>propeller-cli: …</c> (plus a hint where one helps), and exit code 1; a wrong command line exits 2.
/// </summary>
public static class CliApplication
{
    public const string Name = "propeller-cli";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var global = new GlobalOptions();
        var root = BuildRoot(global, stdout, stderr);
        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            var errors = parseResult.Errors.Select(e => e.Message).ToList();
            if (errors.Count > 1 && errors.Any(e => e.StartsWith("Unrecognized command or argument", StringComparison.Ordinal)))
            {
                // "tasks lst": the unknown word says it all; "Required command was not provided" only repeats it.
                errors.RemoveAll(e => e.StartsWith("Required command was not provided", StringComparison.Ordinal));
            }

            foreach (var error in errors)
            {
                await stderr.WriteLineAsync($"{Name}: {error}");
            }

            await stderr.WriteLineAsync($"Run '{CommandPath(parseResult)} --help' for usage.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Ctrl-C / SIGTERM cancel the command's token (it then says what was left behind); not on by default in 2.0.0.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(3),
        };
        return await parseResult.InvokeAsync(configuration);
    }

    public static RootCommand BuildRoot(GlobalOptions global, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(global);
        var commands = new Commands(global, stdout, stderr);
        var root = new RootCommand("propeller-cli: create, upload, run and watch WebAssembly tasks on a Propeller manager.");
        global.AddTo(root);
        root.Add(commands.Tasks());
        root.Add(commands.Proplets());
        root.Add(commands.Run());
        root.Add(commands.Health());
        root.Add(commands.Provision());
        root.Add(commands.Credentials());
        var details = commands.Details.ToDictionary();
        details[root] = """
            Output is the manager's JSON, pretty-printed, unless -o table is given.
            Exit codes: 0 done; 1 failed (the manager refused or cannot be reached, a local file is
            missing, the task failed); 2 the command line is wrong.
            A manager with API keys needs one: $PROPELLER_API_KEY, else the [cli] api_key of
            ./config.toml (or of $PROPELLER_CONFIG_FILE), which 'provision' writes.

            Examples:
              propeller-cli run build/guests/greet.wasm -- hello
              propeller-cli tasks create demo --cli-args="-S,nn" --env GREETING=hi --file demo.wasm
              propeller-cli tasks start 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 --wait
              propeller-cli -o table tasks list
              propeller-cli -m http://10.0.0.5:7070 proplets list --status active
            """;
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Action = new HelpWithDetails(help.Action!, details);
        }

        return root;
    }

    /// <summary>Runs <paramref name="handler"/> with a context, turning every failure into a line on stderr and an exit code.</summary>
    internal static async Task<int> InvokeAsync(ParseResult parseResult, GlobalOptions global, TextWriter stdout, TextWriter stderr, Func<CliContext, CancellationToken, Task<int>> handler, CancellationToken cancellationToken)
    {
        CliContext context;
        try
        {
            context = new CliContext(parseResult, global, stdout, stderr);
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"{Name}: {e.Message}");
            return e.ExitCode;
        }

        using (context)
        {
            try
            {
                return await handler(context, cancellationToken);
            }
            catch (CliException e)
            {
                Fail(context, e, e.Message, e.Hint);
                return e.ExitCode;
            }
            catch (PropellerConnectionException e)
            {
                var hint = context.ManagerUrlSource == "default"
                    ? $"if it runs elsewhere, give its address with -m/--manager-url or {GlobalOptions.ManagerUrlVariable}"
                    : null;
                Fail(context, e, e.Message, hint);
                return ExitCodes.Failure;
            }
            catch (PropellerApiException e)
            {
                Fail(context, e, e.Message, HintFor(e, context));
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                Fail(context, e, "cancelled", null);
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Fail(context, e, $"unexpected error: {e.Message}", context.Verbose ? null : "run again with --verbose for the details");
                return ExitCodes.Failure;
            }
        }
    }

    private static void Fail(CliContext context, Exception e, string message, string? hint)
    {
        context.Out.Flush();
        context.Err.WriteLine($"{Name}: {message}");
        if (hint is not null)
        {
            context.Err.WriteLine($"hint: {hint}");
        }

        if (context.Verbose)
        {
            context.Err.WriteLine(e.ToString());
        }

        context.Err.Flush();
    }

    private static string? HintFor(PropellerApiException e, CliContext context)
    {
        var message = e.Message;
        return e.StatusCode switch
        {
            HttpStatusCode.NotFound when message.StartsWith("task ", StringComparison.Ordinal) =>
                $"'{Name} tasks list' lists the tasks",
            HttpStatusCode.NotFound when message.StartsWith("proplet ", StringComparison.Ordinal) =>
                $"'{Name} proplets list' lists the proplets",
            HttpStatusCode.NotFound when message.StartsWith("no such route", StringComparison.Ordinal) =>
                $"is {context.ManagerUrl} a Propeller manager of this version? (--manager-url)",
            HttpStatusCode.Conflict when message.Contains(" is waiting: ", StringComparison.Ordinal) =>
                $"the task starts by itself as soon as a proplet reports in ('{Name} proplets list' shows them; 'make run' starts one)",
            HttpStatusCode.Unauthorized => context.ApiKeySource is null
                ? $"set {GlobalOptions.ApiKeyVariable} to the manager's API key (the [cli] api_key of the config.toml '{Name} provision' wrote, read from the current directory)"
                : $"the key came from {context.ApiKeySource}; it may be revoked or belong to another manager",
            HttpStatusCode.BadRequest when message.StartsWith("either file or image_url", StringComparison.Ordinal) =>
                $"upload the module first: {Name} tasks upload <id> module.wasm",
            _ => null,
        };
    }

    /// <summary>The usual help, then the command's notes and examples.</summary>
    private sealed class HelpWithDetails(CommandLineAction help, Dictionary<Command, string> details) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = help is SynchronousCommandLineAction synchronous ? synchronous.Invoke(parseResult) : 0;
            if (details.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(text);
                output.WriteLine();
            }

            return exitCode;
        }
    }

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Parent is null ? Name : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}

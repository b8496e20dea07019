using System.CommandLine;
using Propeller.Core.Tasks;

namespace Propeller.Cli;

/// <summary>Builds the command tree: tasks …, proplets …, run, health.</summary>
public sealed partial class Commands(GlobalOptions global, TextWriter stdout, TextWriter stderr)
{
    private readonly Dictionary<Command, string> _details = [];

    /// <summary>Text shown after a command's --help (notes and examples), by command.</summary>
    public IReadOnlyDictionary<Command, string> Details => _details;

    private const string Cli = CliApplication.Name;
    private const string SampleId = "3fc0a69a-6c1c-4944-bd71-1117e9ddcf31";

    public Command Tasks()
    {
        var tasks = New("tasks", "Create, change, run and inspect tasks.", """
            Examples:
              propeller-cli tasks create hello --file hello.wasm
              propeller-cli tasks list -o table
              propeller-cli tasks start 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 --wait
            """);
        tasks.Add(CreateTask());
        tasks.Add(ListTasks());
        tasks.Add(ViewTask());
        tasks.Add(UpdateTask());
        tasks.Add(DeleteTask());
        tasks.Add(UploadModule());
        tasks.Add(StartTask());
        tasks.Add(StopTask());
        tasks.Add(TaskResults());
        tasks.Add(WatchTask());
        return tasks;
    }

    public Command Proplets()
    {
        var proplets = New("proplets", "See the workers (proplets) that run tasks.", """
            Examples:
              propeller-cli proplets list --status active -o table
              propeller-cli proplets view proplet-local
            """);

        var status = new Option<string>("--status")
        {
            Description = "Only alive (active) or silent (inactive) proplets",
            HelpName = "active|inactive",
        };
        status.AcceptOnlyFromAmong("active", "inactive");
        var (offset, limit) = PageOptions();
        var list = New("list", "List the proplets the manager has heard from (GET /proplets).", """
            Examples:
              propeller-cli proplets list
              propeller-cli proplets list --status active -o table
            """,
            status, offset, limit);
        Handle(list, async (context, parse, ct) =>
        {
            context.Printer.PropletPage(await context.Client.ListPropletsAsync(parse.GetValue(status), parse.GetValue(offset), parse.GetValue(limit), ct));
            return ExitCodes.Success;
        });

        var id = new Argument<string>("id") { Description = "The proplet's id, as proplets list shows it" };
        var view = New("view", "Show one proplet (GET /proplets/{id}).", """
            Example:
              propeller-cli proplets view proplet-local -o table
            """,
            id);
        Handle(view, async (context, parse, ct) =>
        {
            context.Printer.Proplet(await context.Client.GetPropletAsync(parse.GetRequiredValue(id), ct));
            return ExitCodes.Success;
        });

        proplets.Add(list);
        proplets.Add(view);
        return proplets;
    }

    public Command Health()
    {
        var health = New("health", "Ask whether the manager is up (GET /health); exit code 1 when it cannot be reached.", """
            Example:
              propeller-cli health
            """);
        Handle(health, async (context, _, ct) =>
        {
            context.Printer.Health(await context.Client.HealthAsync(ct));
            return ExitCodes.Success;
        });
        return health;
    }

    public Command Run()
    {
        var file = new Argument<string>("module") { Description = "The .wasm module to run" };
        var args = new Argument<string[]>("args")
        {
            Description = "Arguments for the guest (the task's inputs); put them after -- when one starts with '-'",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var name = new Option<string>("--name", "-n") { Description = "The task's name [default: the module's file name without .wasm]", HelpName = "name" };
        var cliArgs = TaskArguments.CliArgs();
        var env = TaskArguments.Env();
        var propletId = TaskArguments.PropletId();
        var run = New("run", "Run a module once: create a task, upload, start, wait, and print the guest's output.", """
            Prints the results (the guest's standard output) as they are; with -o json or -o table
            the finished task instead. Exit code 1 when the task failed or was interrupted, with its
            error on stderr. The task is kept: tasks view / tasks delete.

            Examples:
              propeller-cli run build/guests/greet.wasm
              propeller-cli run greet.wasm --env GREETING=hi -- first second
              propeller-cli run model.wasm --cli-args="-S,nn,--dir=/models::fixture" --name nn-demo
            """,
            file, args, name, cliArgs, env, propletId);
        Handle(run, async (context, parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            LocalModule.Check(path);
            var request = new TaskRequest
            {
                Name = parse.GetValue(name) is { Length: > 0 } given ? given : Path.GetFileNameWithoutExtension(path),
                CliArgs = parse.GetValue(cliArgs) is { Length: > 0 } c ? TaskArguments.SplitList(c) : null,
                Env = parse.GetValue(env) is { Length: > 0 } e ? TaskArguments.ParseEnv(e) : null,
                Inputs = parse.GetValue(args) is { Length: > 0 } a ? [.. a.Select(TaskArguments.Input)] : null,
                PropletId = parse.GetValue(propletId),
            };
            var task = await context.Client.CreateTaskAsync(request, ct);
            var id = task.Id.ToString();
            if (context.Verbose)
            {
                context.Note($"created task {id}");
            }

            await UploadCreatedAsync(context, id, path, ct);
            await TaskFlow.StartAsync(context, id, acceptQueued: true, ct);
            return TaskFlow.Report(context, await TaskFlow.WaitAsync(context, id, ct));
        });
        return run;
    }

    private Command CreateTask()
    {
        var name = new Argument<string>("name") { Description = "The task's name (with the embedded runtime, also the function to call)" };
        var cliArgs = TaskArguments.CliArgs();
        var env = TaskArguments.Env();
        var inputs = TaskArguments.Inputs();
        var file = TaskArguments.File("Upload this .wasm module right after creating the task");
        var imageUrl = TaskArguments.ImageUrl();
        var daemon = TaskArguments.Daemon();
        var timeout = TaskArguments.Timeout();
        var maxRetries = TaskArguments.MaxRetries();
        var propletId = TaskArguments.PropletId();
        var create = New("create", "Create a task (POST /tasks) and print it; with --file also upload its module.", """
            Examples:
              propeller-cli tasks create hello
              propeller-cli tasks create wasi-nn-demo --cli-args="-S,nn,--dir=/home/proplet/fixture::fixture"
              propeller-cli tasks create adder --inputs 1,2 --file adder.wasm
              propeller-cli tasks create greeter --env GREETING=hi --env LANG=en --file greet.wasm
              propeller-cli tasks create crunch --timeout 30s --max-retries 2 --file crunch.wasm
            """,
            name, cliArgs, env, inputs, file, imageUrl, daemon, timeout, maxRetries, propletId);
        Handle(create, async (context, parse, ct) =>
        {
            var path = parse.GetValue(file);
            if (path is not null)
            {
                LocalModule.Check(path);
            }

            var request = new TaskRequest
            {
                Name = parse.GetRequiredValue(name),
                CliArgs = parse.GetValue(cliArgs) is { Length: > 0 } c ? TaskArguments.SplitList(c) : null,
                Env = parse.GetValue(env) is { Length: > 0 } e ? TaskArguments.ParseEnv(e) : null,
                Inputs = parse.GetValue(inputs) is { Length: > 0 } i ? TaskArguments.ParseInputs(i) : null,
                ImageUrl = parse.GetValue(imageUrl),
                Daemon = parse.GetResult(daemon) is not { Implicit: false } ? null : parse.GetValue(daemon),
                Timeout = TaskArguments.TimeoutValue(parse.GetValue(timeout)),
                MaxRetries = parse.GetValue(maxRetries),
                PropletId = parse.GetValue(propletId),
            };
            var task = await context.Client.CreateTaskAsync(request, ct);
            if (path is not null)
            {
                task = await UploadCreatedAsync(context, task.Id.ToString(), path, ct);
            }

            context.Printer.Task(task);
            return ExitCodes.Success;
        });
        return create;
    }

    private Command ListTasks()
    {
        var (offset, limit) = PageOptions();
        var state = TaskArguments.State();
        var list = New("list", "List tasks (GET /tasks), one page at a time.", """
            Examples:
              propeller-cli tasks list
              propeller-cli tasks list -o table --state failed
              propeller-cli tasks list --offset 100 --limit 50
            """,
            offset, limit, state);
        Handle(list, async (context, parse, ct) =>
        {
            context.Printer.TaskPage(await context.Client.ListTasksAsync(parse.GetValue(offset), parse.GetValue(limit), parse.GetValue(state), ct));
            return ExitCodes.Success;
        });
        return list;
    }

    private Command ViewTask()
    {
        var id = TaskArguments.TaskId();
        var view = New("view", "Show one task: state, results, error (GET /tasks/{id}).", """
            Examples:
              propeller-cli tasks view 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31
              propeller-cli tasks view 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 -o table
            """,
            id);
        Handle(view, async (context, parse, ct) =>
        {
            context.Printer.Task(await context.Client.GetTaskAsync(parse.GetRequiredValue(id), ct));
            return ExitCodes.Success;
        });
        return view;
    }

    private Command UpdateTask()
    {
        var id = TaskArguments.TaskId();
        var name = new Option<string>("--name", "-n") { Description = "A new name", HelpName = "name" };
        var inputs = TaskArguments.Inputs();
        var file = TaskArguments.File("Upload this .wasm module as the task's new module");
        var imageUrl = TaskArguments.ImageUrl();
        var daemon = TaskArguments.Daemon();
        var timeout = TaskArguments.Timeout();
        var maxRetries = TaskArguments.MaxRetries();
        var propletId = TaskArguments.PropletId(updating: true);
        var update = New("update", "Change a task that is not running (PUT /tasks/{id}); only the fields given change.", """
            cli_args and env are fixed at creation: create a new task to change them.

            Examples:
              propeller-cli tasks update 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 --name renamed --inputs 3,4
              propeller-cli tasks update 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 --file new.wasm
              propeller-cli tasks update 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 --proplet-id ""
            """,
            id, name, inputs, file, imageUrl, daemon, timeout, maxRetries, propletId);
        Handle(update, async (context, parse, ct) =>
        {
            var taskId = parse.GetRequiredValue(id);
            var path = parse.GetValue(file);
            var request = new TaskRequest
            {
                Name = parse.GetValue(name),
                Inputs = parse.GetResult(inputs) is not { Implicit: false } ? null : TaskArguments.ParseInputs(parse.GetValue(inputs) ?? []),
                ImageUrl = parse.GetValue(imageUrl),
                Daemon = parse.GetResult(daemon) is not { Implicit: false } ? null : parse.GetValue(daemon),
                Timeout = TaskArguments.TimeoutValue(parse.GetValue(timeout)),
                MaxRetries = parse.GetValue(maxRetries),
                PropletId = parse.GetValue(propletId),
            };
            var changesFields = request.Name is not null || request.Inputs is not null || request.ImageUrl is not null || request.Daemon is not null
                || request.Timeout is not null || request.MaxRetries is not null || request.PropletId is not null;
            if (!changesFields && path is null)
            {
                throw new CliException("nothing to update: give --name, --inputs, --file, --image-url, --daemon, --timeout, --max-retries or --proplet-id", ExitCodes.Usage);
            }

            if (path is not null)
            {
                LocalModule.Check(path);
            }

            var task = changesFields ? await context.Client.UpdateTaskAsync(taskId, request, ct) : null;
            if (path is not null)
            {
                task = await TaskFlow.UploadAsync(context, taskId, path, ct);
            }

            context.Printer.Task(task!);
            return ExitCodes.Success;
        });
        return update;
    }

    private Command DeleteTask()
    {
        var id = TaskArguments.TaskId();
        var delete = New("delete", "Delete a task that is not running (DELETE /tasks/{id}); prints {\"deleted\": true}.", """
            Example:
              propeller-cli tasks delete 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31
            """,
            id);
        Handle(delete, async (context, parse, ct) =>
        {
            var taskId = parse.GetRequiredValue(id);
            await context.Client.DeleteTaskAsync(taskId, ct);
            context.Printer.Done("deleted", $"deleted task {taskId}");
            return ExitCodes.Success;
        });
        return delete;
    }

    private Command UploadModule()
    {
        var id = TaskArguments.TaskId();
        var file = new Argument<string>("file") { Description = "The compiled .wasm module" };
        var upload = New("upload", "Upload a task's module (PUT /tasks/{id}/upload) and print the task; progress on stderr.", """
            Example:
              propeller-cli tasks upload 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 build/guests/greet.wasm
            """,
            id, file);
        Handle(upload, async (context, parse, ct) =>
        {
            context.Printer.Task(await TaskFlow.UploadAsync(context, parse.GetRequiredValue(id), parse.GetRequiredValue(file), ct));
            return ExitCodes.Success;
        });
        return upload;
    }

    private Command StartTask()
    {
        var id = TaskArguments.TaskId();
        var wait = new Option<bool>("--wait", "-w")
        {
            Description = "Follow the task until it ends and print its results (with -o, the task); exit code 1 if it failed or was interrupted",
        };
        var start = New("start", "Start a task on a proplet (POST /tasks/{id}/start); --wait follows it to its end.", """
            Prints {"started": true}. When no proplet is alive the manager keeps the task queued and
            answers 409 (exit code 1); with --wait the CLI says so on stderr and waits for it to run,
            then prints its results like run does (exit code 1 if it failed or was interrupted).

            Examples:
              propeller-cli tasks start 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31
              propeller-cli tasks start 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 --wait
            """,
            id, wait);
        Handle(start, async (context, parse, ct) =>
        {
            var taskId = parse.GetRequiredValue(id);
            var follow = parse.GetValue(wait);
            await TaskFlow.StartAsync(context, taskId, acceptQueued: follow, ct);
            if (!follow)
            {
                context.Printer.Done("started", $"started task {taskId}");
                return ExitCodes.Success;
            }

            return TaskFlow.Report(context, await TaskFlow.WaitAsync(context, taskId, ct));
        });
        return start;
    }

    private Command StopTask()
    {
        var id = TaskArguments.TaskId();
        var stop = New("stop", "Stop a running or queued task (POST /tasks/{id}/stop); it ends Interrupted.", """
            Prints {"stopped": true}.

            Example:
              propeller-cli tasks stop 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31
            """,
            id);
        Handle(stop, async (context, parse, ct) =>
        {
            var taskId = parse.GetRequiredValue(id);
            await context.Client.StopTaskAsync(taskId, ct);
            context.Printer.Done("stopped", $"stopped task {taskId}");
            return ExitCodes.Success;
        });
        return stop;
    }

    private Command TaskResults()
    {
        var id = TaskArguments.TaskId();
        var results = New("results", "Print a task's results (GET /tasks/{id}/results).", """
            Prints {"results": …} as the manager sends it; with -o table, the guest's output as text.

            Examples:
              propeller-cli tasks results 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31
              propeller-cli tasks results 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 -o table
            """,
            id);
        Handle(results, async (context, parse, ct) =>
        {
            context.Printer.Results(await context.Client.GetResultsAsync(parse.GetRequiredValue(id), ct));
            return ExitCodes.Success;
        });
        return results;
    }

    private Command WatchTask()
    {
        var id = TaskArguments.TaskId();
        var watch = New("watch", "Follow a task: print each change of its state as it happens, until it ends.", """
            One line per change, oldest first, starting with those already past: a JSON object per
            line ({"state": 2, "at": …, "proplet_id": …, "reason": …}) by default, columns with
            -o table. Exit code 0 when the task completed, 1 when it failed or was interrupted (why on
            stderr). Ctrl-C stops watching, not the task. The guest's output is not streamed: it
            arrives with the result ('tasks results').

            Examples:
              propeller-cli tasks watch 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 -o table
              propeller-cli tasks watch 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31 | jq -c '[.state, .reason]'
            """,
            id);
        Handle(watch, (context, parse, ct) => TaskFlow.WatchAsync(context, parse.GetRequiredValue(id), ct));
        return watch;
    }

    /// <summary>Uploads the module of a task this command just created; if that fails, says the task exists.</summary>
    private static async Task<PropellerTask> UploadCreatedAsync(CliContext context, string id, string path, CancellationToken ct)
    {
        try
        {
            return await TaskFlow.UploadAsync(context, id, path, ct);
        }
        catch (Sdk.PropellerApiException e)
        {
            throw new CliException(
                $"task {id} was created but its module was not uploaded: {e.Message}",
                ExitCodes.Failure,
                $"{Cli} tasks upload {id} {path} retries; {Cli} tasks delete {id} removes it");
        }
    }

    private static (Option<int> Offset, Option<int> Limit) PageOptions() =>
    (
        new Option<int>("--offset") { Description = "Skip this many", HelpName = "n", DefaultValueFactory = _ => 0 },
        new Option<int>("--limit") { Description = "Show at most this many (1-100)", HelpName = "n", DefaultValueFactory = _ => 100 }
    );

    /// <summary>A command whose one-line description is listed under its parent and whose details end its own --help.</summary>
    public Command New(string name, string description, string details, params Symbol[] children)
    {
        ArgumentNullException.ThrowIfNull(children);
        var command = new Command(name, description);
        foreach (var child in children)
        {
            switch (child)
            {
                case Argument argument:
                    command.Add(argument);
                    break;
                case Option option:
                    command.Add(option);
                    break;
                case Command subcommand:
                    command.Add(subcommand);
                    break;
            }
        }

        _details[command] = details.TrimEnd();
        return command;
    }

    private void Handle(Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> handler) =>
        command.SetAction((parseResult, cancellationToken) =>
            CliApplication.InvokeAsync(parseResult, global, stdout, stderr, (context, ct) => handler(context, parseResult, ct), cancellationToken));
}

using System.Text.Json;
using Propeller.Testing;

namespace Propeller.Cli.Tests;

/// <summary>A real manager (embedded broker, own SQLite) on free ports; with <see cref="WithProplet"/>, one proplet running wasm through Node.</summary>
public abstract class ManagerFixture : IAsyncLifetime
{
    private ChildProcess? _proplet;

    public TempDirectory Directory { get; } = new("propeller-cli-tests");

    public ManagerProcess Manager { get; private set; } = null!;

    public string PropletId { get; } = $"proplet-{Guid.NewGuid():N}";

    public Uri Url => Manager.BaseAddress;

    protected abstract bool WithProplet { get; }

    public async Task InitializeAsync()
    {
        Manager = await ManagerProcess.StartAsync(Directory);
        if (WithProplet)
        {
            await StartPropletAsync();
        }
    }

    /// <summary>
    /// A proplet running tasks through build/propeller-wasm, which serves wasi-nn: the seeds' tasks carry
    /// <c>-S nn</c>, and the manager places them only on a proplet that reports wasi-nn. Tasks may map
    /// <see cref="ModelsDirectory"/> (PROPLET_ALLOWED_DIRS).
    /// </summary>
    public async Task StartPropletAsync() =>
        _proplet = await PropletProcess.StartForAsync(Manager, runtime: Repository.Executable("propeller-wasm"), propletId: PropletId, allowedDirs: [ModelsDirectory]);

    /// <summary>The directory of the fixture's own that its proplet lets tasks map with <c>--dir</c>.</summary>
    public string ModelsDirectory => Directory.Combine("models");

    public Task<CliResult> CliAsync(params string[] arguments) => CliProcess.RunAsync(Url, arguments);

    /// <summary>Runs the CLI and insists on exit code 0.</summary>
    public async Task<CliResult> CliOkAsync(params string[] arguments)
    {
        var result = await CliAsync(arguments);
        Assert.True(result.ExitCode == 0, $"expected success:\n{result}\n--- manager log ---\n{Manager.Process.Log}");
        return result;
    }

    /// <summary>Runs a CLI command that prints one JSON document and returns it.</summary>
    public async Task<JsonElement> CliJsonAsync(params string[] arguments)
    {
        var result = await CliOkAsync(arguments);
        try
        {
            using var document = JsonDocument.Parse(result.Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({e.Message}):\n{result}");
        }
    }

    /// <summary>Creates a task with its module uploaded; returns its id.</summary>
    public async Task<string> CreateTaskAsync(string name, string guest, params string[] more)
    {
        var task = await CliJsonAsync(["tasks", "create", name, "--file", Guests.Path(guest), .. more]);
        return task.GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        if (_proplet is not null)
        {
            await _proplet.DisposeAsync();
        }

        if (Manager is not null)
        {
            await Manager.DisposeAsync();
        }

        Directory.Dispose();
    }
}

/// <summary>A manager and one proplet.</summary>
public sealed class ClusterFixture : ManagerFixture
{
    protected override bool WithProplet => true;
}

/// <summary>A manager with no proplet: tasks that are started wait.</summary>
public sealed class LoneManagerFixture : ManagerFixture
{
    protected override bool WithProplet => false;
}

/// <summary>The test guests compiled by <c>make guests</c>.</summary>
public static class Guests
{
    /// <summary>The path of build/guests/NAME.wasm (fails with the command that builds it when missing).</summary>
    public static string Path(string name)
    {
        _ = Repository.Guest(name);
        return System.IO.Path.Combine(Repository.BuildDirectory, "guests", name + ".wasm");
    }
}

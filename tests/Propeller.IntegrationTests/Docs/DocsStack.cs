using System.Net;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Docs;

/// <summary>
/// What the docs' examples were captured against (<c>make run</c>): a manager and one proplet named
/// <c>proplet-local</c> that can run wasi-nn tasks (through build/propeller-wasm), plus the
/// <c>/tmp/fixture</c> directory the CLI walkthrough gives its task. Shared by the whole test class.
/// </summary>
public sealed class DocsStack : IAsyncLifetime
{
    /// <summary>The proplet's id in the docs' commands and outputs.</summary>
    public const string PropletId = "proplet-local";

    public TempDirectory Directory { get; } = new("propeller-docs");

    public ManagerProcess Manager { get; private set; } = null!;

    public ChildProcess Proplet { get; private set; } = null!;

    /// <summary>Stands in for the docs' <c>/tmp/fixture</c>: holds the greeting.txt the greet guest reads through <c>--dir</c>.</summary>
    public string FixtureDirectory => Directory.Combine("fixture");

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(FixtureDirectory);
        await File.WriteAllTextAsync(Path.Combine(FixtureDirectory, "greeting.txt"), "hello from the fixture directory\n");
        Manager = await ManagerProcess.StartAsync(Directory);
        // The docs' tasks carry -S nn, which the manager sends only to a proplet that serves wasi-nn. It lets
        // tasks map what make run's proplet does (scripts/run-local.sh), /tmp/fixture being this stack's own.
        Proplet = await PropletProcess.StartForAsync(Manager, Repository.Executable("propeller-wasm"), PropletId, allowedDirs: [FixtureDirectory, Repository.WasiNnFixture]);
    }

    /// <summary>A task that has run greet.wasm to its end: it can be viewed, watched, updated, started again or deleted.</summary>
    public async Task<string> CreateFinishedTaskAsync(string name)
    {
        var id = (await TaskCalls.CreateAsync(Manager.Http, $$"""{"name":"{{name}}"}""")).GetProperty("id").GetString()!;
        using (var upload = await TaskCalls.UploadAsync(Manager.Http, id, Repository.Guest("greet")))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        using (var start = await TaskCalls.StartAsync(Manager.Http, id))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        await TaskCalls.WaitForEndAsync(Manager.Http, id, $"a task made to stand for a doc's id ({name})");
        return id;
    }

    /// <summary>Waits until none of <paramref name="ids"/> is Scheduled or Running (a deleted one counts as ended).</summary>
    public async Task WaitForRunsToEndAsync(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            using var response = await Manager.Http.GetAsync(new Uri($"/tasks/{id}", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                await TaskCalls.WaitForStateAsync(Manager.Http, id, state => state is not (1 or 2), "the doc pauses until the task it started has run");
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Proplet is not null)
        {
            await Proplet.DisposeAsync();
        }

        if (Manager is not null)
        {
            await Manager.DisposeAsync();
        }

        Directory.Dispose();
    }
}

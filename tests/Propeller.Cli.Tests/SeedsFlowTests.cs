using System.Text.Json;

namespace Propeller.Cli.Tests;

/// <summary>The upstream seeds' walkthrough, typed as a user types it: create, upload, start, view until done.</summary>
public sealed class SeedsFlowTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Create_upload_start_view_runs_the_guest_with_all_three_cli_args()
    {
        var fixture = cluster.ModelsDirectory;
        Directory.CreateDirectory(fixture);
        await File.WriteAllTextAsync(Path.Combine(fixture, "greeting.txt"), "greetings from the fixture\n");
        var cliArgs = $"-S,nn,--dir={fixture}::fixture";

        var created = await cluster.CliJsonAsync("tasks", "create", "wasi-nn-demo", $"--cli-args={cliArgs}");
        Assert.Equal("wasi-nn-demo", created.GetProperty("name").GetString());
        Assert.Equal(0, created.GetProperty("state").GetInt32());
        Assert.Equal(["-S", "nn", $"--dir={fixture}::fixture"], created.GetProperty("cli_args").EnumerateArray().Select(a => a.GetString()));
        var id = created.GetProperty("id").GetString()!;

        var upload = await cluster.CliOkAsync("tasks", "upload", id, Guests.Path("greet"));
        Assert.Equal(id, JsonDocument.Parse(upload.Stdout).RootElement.GetProperty("id").GetString());
        Assert.Equal("", upload.Stderr); // no progress bar when stderr is not a terminal

        var started = await cluster.CliJsonAsync("tasks", "start", id);
        Assert.True(started.GetProperty("started").GetBoolean());

        var task = await ViewUntilFinalAsync(id);
        Assert.Equal(3, task.GetProperty("state").GetInt32());
        var results = task.GetProperty("results").GetString()!;
        Assert.Contains("Hello from a WebAssembly guest", results, StringComparison.Ordinal);
        Assert.Contains("fixture: greetings from the fixture", results, StringComparison.Ordinal);
        Assert.Equal(cluster.PropletId, task.GetProperty("proplet_id").GetString());

        var resultsJson = await cluster.CliJsonAsync("tasks", "results", id);
        Assert.Equal(results, resultsJson.GetProperty("results").GetString());
    }

    [Fact]
    public async Task Cli_args_given_after_a_space_and_repeated_are_kept_in_order()
    {
        var created = await cluster.CliJsonAsync("tasks", "create", "spaced", "--cli-args", "-S,nn", "--cli-args", "--dir=/a::b");
        Assert.Equal(["-S", "nn", "--dir=/a::b"], created.GetProperty("cli_args").EnumerateArray().Select(a => a.GetString()));
    }

    private async Task<JsonElement> ViewUntilFinalAsync(string id)
    {
        JsonElement task = default;
        for (var attempt = 0; attempt < 600; attempt++)
        {
            task = await cluster.CliJsonAsync("tasks", "view", id);
            if (task.GetProperty("state").GetInt32() is >= 3)
            {
                return task;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"task {id} did not finish; last seen: {task}\n--- manager log ---\n{cluster.Manager.Process.Log}");
    }
}

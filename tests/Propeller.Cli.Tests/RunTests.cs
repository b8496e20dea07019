using System.Text.Json;

namespace Propeller.Cli.Tests;

/// <summary><c>run</c> and <c>tasks start --wait</c>: one command from module to output, and the exit code says how it ended.</summary>
public sealed class RunTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Run_prints_the_guest_output_as_is_and_exits_0()
    {
        var result = await cluster.CliOkAsync("run", Guests.Path("greet"), "--env", "GREETING=hi there", "--", "first", "--second", "3");

        Assert.Equal("Hello from a WebAssembly guest\narg[1]=first\narg[2]=--second\narg[3]=3\nGREETING=hi there\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Run_of_a_failing_guest_exits_1_with_its_error_on_stderr()
    {
        var result = await cluster.CliAsync("run", Guests.Path("exit-code"), "--", "7");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("about to fail\n", result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("propeller-cli: task ", line, StringComparison.Ordinal);
        Assert.Contains(" failed: ", line, StringComparison.Ordinal);
        Assert.Contains("guest error: the model file is missing (exiting with 7)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_output_json_prints_the_finished_task()
    {
        var result = await cluster.CliOkAsync("run", Guests.Path("greet"), "--name", "named-run", "-o", "json");

        var task = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("named-run", task.GetProperty("name").GetString());
        Assert.Equal(3, task.GetProperty("state").GetInt32());
        Assert.StartsWith("Hello from a WebAssembly guest", task.GetProperty("results").GetString(), StringComparison.Ordinal);
        Assert.False(task.TryGetProperty("file", out _), "the module's bytes are left out unless --with-file");
    }

    [Fact]
    public async Task Run_with_file_prints_the_finished_task_with_its_module()
    {
        var task = await cluster.CliJsonAsync("run", Guests.Path("greet"), "-o", "json", "--with-file");

        Assert.Equal(3, task.GetProperty("state").GetInt32());
        Assert.Equal(await File.ReadAllBytesAsync(Guests.Path("greet")), task.GetProperty("file").GetBytesFromBase64());
    }

    [Fact]
    public async Task Run_with_output_table_prints_the_task_as_key_values()
    {
        var result = await cluster.CliAsync("run", Guests.Path("exit-code"), "-o", "table");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("state:       Failed (4)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("results:     about to fail", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("(exiting with 3)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_wait_follows_the_task_and_prints_its_results()
    {
        var id = await cluster.CreateTaskAsync("waited", "greet", "--inputs", "4,five");

        var result = await cluster.CliOkAsync("tasks", "start", id, "--wait");

        Assert.Equal("Hello from a WebAssembly guest\narg[1]=4\narg[2]=five\nGREETING=(unset)\n", result.Stdout);
    }

    [Fact]
    public async Task Start_wait_exits_1_when_the_task_is_stopped()
    {
        var id = await cluster.CreateTaskAsync("sleeper", "sleep", "--inputs", "600");
        await using var waiting = CliProcess.Start(cluster.Url, ["tasks", "start", id, "--wait"]);
        await WaitForStateAsync(id, 2);

        var stopped = await cluster.CliJsonAsync("tasks", "stop", id);
        var result = await waiting.WaitForExitAsync();

        Assert.True(stopped.GetProperty("stopped").GetBoolean());
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"propeller-cli: task {id} was interrupted", result.Stderr, StringComparison.Ordinal);
        var task = await cluster.CliJsonAsync("tasks", "view", id);
        Assert.Equal(6, task.GetProperty("state").GetInt32());
    }

    private async Task WaitForStateAsync(string id, int state)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var task = await cluster.CliJsonAsync("tasks", "view", id);
            if (task.GetProperty("state").GetInt32() == state)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"task {id} never reached state {state}");
    }
}

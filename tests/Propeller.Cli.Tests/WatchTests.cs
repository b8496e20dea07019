using System.Text.Json;

namespace Propeller.Cli.Tests;

/// <summary><c>tasks watch</c>: every state change once, in order, as it happens; the exit code says how the task ended.</summary>
public sealed class WatchTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Watch_prints_each_state_change_as_a_json_line_and_exits_0_when_completed()
    {
        var id = await cluster.CreateTaskAsync("watched", "greet");
        await cluster.CliOkAsync("tasks", "start", id);

        var result = await cluster.CliOkAsync("tasks", "watch", id);

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([0, 1, 2, 3], lines.Select(l => l.GetProperty("state").GetInt32()));
        Assert.All(lines.Skip(1), l => Assert.Equal(cluster.PropletId, l.GetProperty("proplet_id").GetString()));
        var times = lines.Select(l => l.GetProperty("at").GetDateTime()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Watch_follows_a_running_task_and_exits_1_when_it_is_stopped()
    {
        var id = await cluster.CreateTaskAsync("watched-sleeper", "sleep", "--inputs", "600");
        await using var watching = CliProcess.Start(cluster.Url, ["tasks", "watch", id, "-o", "table"]);
        await watching.WaitForStdoutAsync("Pending");

        await cluster.CliOkAsync("tasks", "start", id);
        await watching.WaitForStdoutAsync("Running");
        await cluster.CliOkAsync("tasks", "stop", id);
        var result = await watching.WaitForExitAsync();

        Assert.True(result.ExitCode == 1, result.ToString());
        var states = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[1].Trim()).ToList();
        Assert.Equal(["Pending", "Scheduled", "Running", "Interrupted"], states);
        Assert.Contains($"propeller-cli: task {id} was interrupted", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_of_a_failing_task_exits_1_with_the_guest_error_on_stderr()
    {
        var id = await cluster.CreateTaskAsync("watched-failure", "exit-code", "--inputs", "5");
        await cluster.CliOkAsync("tasks", "start", id);

        var result = await cluster.CliAsync("tasks", "watch", id, "-o", "table");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(" Failed ", result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1] + " ", StringComparison.Ordinal);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains($"task {id} failed: ", line, StringComparison.Ordinal);
        Assert.Contains("(exiting with 5)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_of_an_unknown_task_exits_1_with_the_managers_error()
    {
        var result = await cluster.CliAsync("tasks", "watch", Guid.NewGuid().ToString());

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Contains("not found", result.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}

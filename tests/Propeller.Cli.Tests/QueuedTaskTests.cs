namespace Propeller.Cli.Tests;

/// <summary>With no proplet alive, a started task waits in the manager; the CLI says so, and --wait waits for it.</summary>
public sealed class QueuedTaskTests(LoneManagerFixture manager) : IClassFixture<LoneManagerFixture>
{
    [Fact]
    public async Task Start_without_a_proplet_is_the_manager_409_with_a_hint()
    {
        var id = await manager.CreateTaskAsync("queued", "greet");

        var result = await manager.CliAsync("tasks", "start", id);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"propeller-cli: task {id} is waiting: ", result.StderrLines[0], StringComparison.Ordinal);
        Assert.StartsWith("hint: the task starts by itself as soon as a proplet reports in", result.StderrLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_without_a_proplet_waits_until_it_is_stopped_and_says_the_task_goes_on()
    {
        await using var run = CliProcess.Start(manager.Url, ["run", Guests.Path("greet")]);
        await run.WaitForStderrAsync(" is queued: ");

        await run.SignalAsync("TERM");
        var result = await run.WaitForExitAsync();

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Contains("propeller-cli: stopped waiting for task ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("; the task itself goes on", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }
}

/// <summary>A task queued for want of a proplet runs once one connects, and start --wait prints its output.</summary>
public sealed class LatePropletTests(LoneManagerFixture manager) : IClassFixture<LoneManagerFixture>
{
    [Fact]
    public async Task Start_wait_on_a_queued_task_ends_when_a_proplet_arrives()
    {
        var id = await manager.CreateTaskAsync("late", "greet");
        await using var waiting = CliProcess.Start(manager.Url, ["tasks", "start", id, "--wait"]);
        await waiting.WaitForStderrAsync($"propeller-cli: task {id} is queued: ");

        await manager.StartPropletAsync();
        var result = await waiting.WaitForExitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("Hello from a WebAssembly guest\n", result.Stdout, StringComparison.Ordinal);
    }
}

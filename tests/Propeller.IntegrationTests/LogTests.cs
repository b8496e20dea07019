using System.Text.Json;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// The logs of real manager and proplet processes. Their output is a pipe here, so they log JSON
/// lines (the default when not on a terminal): each line must parse, and task events carry task_id
/// and proplet_id as fields, with the seeds' messages ("Executing task", "Task completed … exit_code").
/// </summary>
public sealed class LogTests(LocalStack stack) : IClassFixture<LocalStack>
{
    [Fact]
    public async Task Task_events_are_json_lines_with_task_id_and_proplet_id_fields()
    {
        var done = await TaskCalls.RunAsync(stack.Http, """{"name": "logged"}""", Repository.Guest("greet"), "the greet guest ends at once");
        var id = done.GetProperty("id").GetString()!;
        await stack.Proplet.WaitForLogAsync($"Task completed {id} exit_code=0", TimeSpan.FromSeconds(10));

        var proplet = Lines(stack.Proplet.Log);
        var manager = Lines(stack.Manager.Process.Log);

        var executing = Assert.Single(proplet, l => Msg(l).StartsWith($"Executing task {id}", StringComparison.Ordinal));
        var completed = Assert.Single(proplet, l => Msg(l) == $"Task completed {id} exit_code=0");
        Assert.All(new[] { executing, completed }, l =>
        {
            Assert.Equal(id, l.GetProperty("task_id").GetString());
            Assert.Equal(stack.PropletId, l.GetProperty("proplet_id").GetString());
            Assert.Equal("INFO", l.GetProperty("level").GetString());
        });
        Assert.Equal(0, completed.GetProperty("exit_code").GetInt32());
        Assert.All(proplet, l => Assert.Equal(stack.PropletId, l.GetProperty("proplet_id").GetString()));

        var scheduled = Assert.Single(manager, l => Msg(l).StartsWith($"Task {id} scheduled on proplet {stack.PropletId}", StringComparison.Ordinal));
        Assert.Equal(id, scheduled.GetProperty("task_id").GetString());
        Assert.Equal(stack.PropletId, scheduled.GetProperty("proplet_id").GetString());
        Assert.All(manager, l => Assert.True(l.GetProperty("time").GetDateTime() > DateTime.UnixEpoch));
    }

    [Fact]
    public async Task An_unknown_log_format_or_level_stops_the_manager_with_exit_code_2_and_the_variable_named()
    {
        using var directory = new TempDirectory();
        foreach (var (name, value) in new[] { ("MANAGER_LOG_FORMAT", "xml"), ("MANAGER_LOG_LEVEL", "loud") })
        {
            await using var manager = ChildProcess.Start(Repository.Executable("propeller-manager"), new Dictionary<string, string?>
            {
                [name] = value,
                ["MANAGER_HTTP_PORT"] = FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MANAGER_EMBEDDED_BROKER_PORT"] = FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MANAGER_SQLITE_PATH"] = Path.Combine(directory.Path, "m.db"),
            });
            await manager.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(2, manager.ExitCode);
            Assert.Contains($"{name}='{value}' is not valid", manager.Log, StringComparison.Ordinal);
        }
    }

    /// <summary>Every line of the output, each of which must be one JSON object.</summary>
    private static List<JsonElement> Lines(string log) =>
        [.. log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    private static string Msg(JsonElement line) => line.GetProperty("msg").GetString()!;
}

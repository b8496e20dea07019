using System.Text.Json;

namespace Propeller.Cli.Tests;

/// <summary>What each command prints: the manager's JSON by default, aligned tables with -o table.</summary>
public sealed class OutputTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Task_list_table_has_aligned_columns_with_state_names()
    {
        var first = await cluster.CreateTaskAsync("table-first", "greet");
        var second = await cluster.CreateTaskAsync("a-much-longer-task-name", "greet");
        await cluster.CliOkAsync("tasks", "start", first, "--wait");

        var result = await cluster.CliOkAsync("-o", "table", "tasks", "list");

        var lines = result.Stdout.TrimEnd('\n').Split('\n');
        var header = lines[0];
        Assert.Matches("^ID +NAME +STATE +PROPLET +CREATED$", header);
        var firstRow = Assert.Single(lines, l => l.StartsWith(first, StringComparison.Ordinal));
        var secondRow = Assert.Single(lines, l => l.StartsWith(second, StringComparison.Ordinal));
        foreach (var column in new[] { "NAME", "STATE", "PROPLET", "CREATED" })
        {
            var at = header.IndexOf(column, StringComparison.Ordinal);
            Assert.NotEqual(' ', firstRow[at]);
            Assert.Equal(' ', firstRow[at - 1]);
            Assert.NotEqual(' ', secondRow[at]);
            Assert.Equal(' ', secondRow[at - 1]);
        }

        Assert.Equal("table-first", firstRow[header.IndexOf("NAME", StringComparison.Ordinal)..].Split("  ")[0]);
        Assert.Contains(" Completed ", firstRow, StringComparison.Ordinal);
        Assert.Contains($" {cluster.PropletId} ", firstRow, StringComparison.Ordinal);
        Assert.Contains(" Pending ", secondRow, StringComparison.Ordinal);
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", secondRow);
    }

    [Fact]
    public async Task Task_view_table_is_key_values_with_results_as_text()
    {
        var id = await cluster.CreateTaskAsync("kv", "greet", "--env", "GREETING=hello", "--inputs", "1,x");
        await cluster.CliOkAsync("tasks", "start", id, "--wait");

        var result = await cluster.CliOkAsync("tasks", "view", id, "--output", "table");

        var lines = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal($"id:          {id}", lines[0]);
        Assert.Contains("name:        kv", lines);
        Assert.Contains("state:       Completed (3)", lines);
        Assert.Contains($"proplet:     {cluster.PropletId}", lines);
        Assert.Contains("inputs:      [1,\"x\"]", lines);
        Assert.Contains("env:         GREETING=hello", lines);
        Assert.Contains(lines, l => l.StartsWith("file:        ", StringComparison.Ordinal) && l.EndsWith(" bytes", StringComparison.Ordinal));
        var results = Array.IndexOf(lines, "results:     Hello from a WebAssembly guest");
        Assert.True(results > 0, result.ToString());
        Assert.Equal("             arg[1]=1", lines[results + 1]);
    }

    [Fact]
    public async Task Task_json_is_snake_case_without_the_module_unless_asked()
    {
        var id = await cluster.CreateTaskAsync("json-shape", "greet", "--inputs", "1,2.5,word");

        var task = await cluster.CliJsonAsync("tasks", "view", id);
        var withFile = await cluster.CliJsonAsync("tasks", "view", id, "--with-file");

        Assert.Equal(JsonValueKind.Number, task.GetProperty("inputs")[0].ValueKind);
        Assert.Equal(2.5, task.GetProperty("inputs")[1].GetDouble());
        Assert.Equal("word", task.GetProperty("inputs")[2].GetString());
        Assert.True(task.TryGetProperty("created_at", out _));
        Assert.True(task.TryGetProperty("finish_time", out _));
        Assert.False(task.TryGetProperty("file", out _));
        Assert.Equal(await File.ReadAllBytesAsync(Guests.Path("greet")), withFile.GetProperty("file").GetBytesFromBase64());
    }

    [Fact]
    public async Task Results_are_the_manager_json_or_raw_text_in_table_mode()
    {
        var id = await cluster.CreateTaskAsync("results", "greet");
        await cluster.CliOkAsync("tasks", "start", id, "--wait");

        var json = await cluster.CliJsonAsync("tasks", "results", id);
        var text = await cluster.CliOkAsync("tasks", "results", id, "-o", "table");

        Assert.Equal(JsonValueKind.String, json.GetProperty("results").ValueKind);
        Assert.Equal(json.GetProperty("results").GetString(), text.Stdout);
    }

    [Fact]
    public async Task Update_changes_only_the_given_fields_and_delete_removes_the_task()
    {
        var id = await cluster.CreateTaskAsync("before", "greet", "--env", "KEEP=me", "--daemon");

        var updated = await cluster.CliJsonAsync("tasks", "update", id, "--name", "after", "--inputs", "9", "--daemon", "false");
        var deleted = await cluster.CliJsonAsync("tasks", "delete", id);
        var gone = await cluster.CliAsync("tasks", "view", id);

        Assert.Equal("after", updated.GetProperty("name").GetString());
        Assert.Equal(9, updated.GetProperty("inputs")[0].GetInt32());
        Assert.False(updated.GetProperty("daemon").GetBoolean());
        Assert.Equal("me", updated.GetProperty("env").GetProperty("KEEP").GetString());
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal(1, gone.ExitCode);
        Assert.Equal($"propeller-cli: task {id} not found", gone.StderrLines[0]);
    }

    [Fact]
    public async Task Update_with_a_file_uploads_the_new_module()
    {
        var id = await cluster.CreateTaskAsync("swap", "exit-code");

        await cluster.CliOkAsync("tasks", "update", id, "--file", Guests.Path("greet"));
        var result = await cluster.CliOkAsync("tasks", "start", id, "--wait");

        Assert.StartsWith("Hello from a WebAssembly guest", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Task_list_filters_by_state_name()
    {
        var id = await cluster.CreateTaskAsync("to-fail", "exit-code");
        await cluster.CliAsync("tasks", "start", id, "--wait");

        var failed = await cluster.CliJsonAsync("tasks", "list", "--state", "failed", "--limit", "100");

        Assert.Contains(failed.GetProperty("tasks").EnumerateArray(), t => t.GetProperty("id").GetString() == id);
        Assert.All(failed.GetProperty("tasks").EnumerateArray(), t => Assert.Equal(4, t.GetProperty("state").GetInt32()));
    }

    [Fact]
    public async Task Proplets_are_listed_and_shown()
    {
        var page = await cluster.CliJsonAsync("proplets", "list", "--status", "active");
        var table = await cluster.CliOkAsync("proplets", "list", "-o", "table");
        var one = await cluster.CliJsonAsync("proplets", "view", cluster.PropletId);
        var oneTable = await cluster.CliOkAsync("proplets", "view", cluster.PropletId, "-o", "table");

        Assert.Contains(page.GetProperty("proplets").EnumerateArray(), p => p.GetProperty("id").GetString() == cluster.PropletId);
        Assert.Matches("^ID +NAME +ALIVE +TASKS +LAST SEEN\n", table.Stdout);
        Assert.Contains(table.Stdout.Split('\n'), l => l.StartsWith(cluster.PropletId, StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));
        Assert.True(one.GetProperty("alive").GetBoolean());
        Assert.Contains("alive:", oneTable.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_reports_pass()
    {
        var json = await cluster.CliJsonAsync("health");
        var table = await cluster.CliOkAsync("health", "-o", "table");

        Assert.Equal("pass", json.GetProperty("status").GetString());
        Assert.StartsWith("status:      pass\n", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_manager_url_option_wins_over_the_environment()
    {
        await using var cli = CliProcess.Start(new Uri("http://127.0.0.1:9"), ["--manager-url", cluster.Url.ToString(), "health"]);
        var result = await cli.WaitForExitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Help_lists_examples()
    {
        var root = await CliProcess.RunAsync(null, "--help");
        var create = await CliProcess.RunAsync(null, "tasks", "create", "--help");

        Assert.Equal(0, root.ExitCode);
        Assert.Contains("Examples:", root.Stdout, StringComparison.Ordinal);
        Assert.Contains("run ", root.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, create.ExitCode);
        Assert.Contains("--cli-args=\"-S,nn,--dir=/home/proplet/fixture::fixture\"", create.Stdout, StringComparison.Ordinal);
    }
}

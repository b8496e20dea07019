using Propeller.Testing;

namespace Propeller.Cli.Tests;

/// <summary>Every failure is one line on stderr, "propeller-cli: …", exit code 1 (2 for a wrong command line), and no stack trace.</summary>
public sealed class ErrorTests(LoneManagerFixture manager) : IClassFixture<LoneManagerFixture>
{
    [Fact]
    public async Task A_manager_that_is_down_is_named_with_what_to_do()
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Get()}");

        var result = await CliProcess.RunAsync(url, "tasks", "list");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Equal($"propeller-cli: cannot reach the manager at http://127.0.0.1:{url.Port}: is it running? (make run)", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Verbose_shows_the_requests_and_the_stack_trace()
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Get()}");

        var quiet = await CliProcess.RunAsync(url, "health");
        var verbose = await CliProcess.RunAsync(url, "health", "--verbose");

        Assert.DoesNotContain("   at ", quiet.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, verbose.ExitCode);
        Assert.Contains($"> GET http://127.0.0.1:{url.Port}/health", verbose.Stderr, StringComparison.Ordinal);
        Assert.Contains("   at ", verbose.Stderr, StringComparison.Ordinal);
        Assert.Contains("HttpRequestException", verbose.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_task_is_a_404_with_a_hint()
    {
        var id = Guid.NewGuid();

        var result = await manager.CliAsync("tasks", "view", id.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"propeller-cli: task {id} not found", "hint: 'propeller-cli tasks list' lists the tasks"], result.StderrLines);
    }

    [Fact]
    public async Task A_timeout_is_sent_normalised_and_a_bad_one_is_refused_by_the_manager()
    {
        var created = await manager.CliJsonAsync("tasks", "create", "timed", "--timeout", "90");
        var refused = await manager.CliAsync("tasks", "create", "timed", "--timeout", "soon");

        Assert.Equal("1m30s", created.GetProperty("timeout").GetString());
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("propeller-cli: timeout \"soon\" is not a duration", refused.StderrLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_retries_reaches_the_task_and_an_out_of_range_one_is_refused_by_the_manager()
    {
        var created = await manager.CliJsonAsync("tasks", "create", "retried", "--max-retries", "2");
        var updated = await manager.CliJsonAsync("tasks", "update", created.GetProperty("id").GetString()!, "--max-retries", "3");
        var refused = await manager.CliAsync("tasks", "create", "retried", "--max-retries", "11");

        Assert.Equal(2, created.GetProperty("max_retries").GetInt32());
        Assert.Equal(3, updated.GetProperty("max_retries").GetInt32());
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("propeller-cli: max_retries must be from 0 to 10; 11 was sent", refused.StderrLines[0]);
    }

    [Fact]
    public async Task An_unknown_proplet_is_a_404()
    {
        var result = await manager.CliAsync("proplets", "view", "nobody");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("propeller-cli: proplet 'nobody' not found", result.StderrLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("view")]
    [InlineData("delete")]
    [InlineData("start")]
    [InlineData("stop")]
    [InlineData("results")]
    public async Task An_id_that_is_not_a_uuid_is_sent_and_the_manager_400_is_shown(string command)
    {
        var result = await manager.CliAsync("tasks", command, "not-a-uuid");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("propeller-cli: 'not-a-uuid' is not a task id: ids are UUIDs such as 3fc0a69a-6c1c-4944-bd71-1117e9ddcf31", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task A_bad_page_size_is_the_manager_400()
    {
        var result = await manager.CliAsync("tasks", "list", "--limit", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("propeller-cli: limit='0' is not valid: expected a whole number from 1 to 100", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Starting_a_task_without_a_module_says_to_upload_it()
    {
        var created = await manager.CliJsonAsync("tasks", "create", "no-module");
        var id = created.GetProperty("id").GetString()!;

        var result = await manager.CliAsync("tasks", "start", id);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("propeller-cli: either file or image_url must be provided", result.StderrLines[0], StringComparison.Ordinal);
        Assert.Equal("hint: upload the module first: propeller-cli tasks upload <id> module.wasm", result.StderrLines[1]);
    }

    [Fact]
    public async Task Stopping_a_task_that_is_not_running_is_a_409()
    {
        var created = await manager.CliJsonAsync("tasks", "create", "idle");
        var id = created.GetProperty("id").GetString()!;

        var result = await manager.CliAsync("tasks", "stop", id);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"propeller-cli: task {id} is not running (state Pending); there is nothing to stop", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task A_missing_local_file_is_named_and_no_task_is_created()
    {
        var before = (await manager.CliJsonAsync("tasks", "list")).GetProperty("total").GetInt64();
        var missing = Path.Combine(manager.Directory.Path, "missing.wasm");

        var create = await manager.CliAsync("tasks", "create", "orphan", "--file", missing);
        var run = await manager.CliAsync("run", missing);
        var after = (await manager.CliJsonAsync("tasks", "list")).GetProperty("total").GetInt64();

        foreach (var result in new[] { create, run })
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Equal($"propeller-cli: {missing}: no such file", result.StderrLines[0]);
            Assert.Equal("", result.Stdout);
        }

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Uploading_a_missing_or_non_wasm_file_fails_before_sending()
    {
        var created = await manager.CliJsonAsync("tasks", "create", "upload-target");
        var id = created.GetProperty("id").GetString()!;
        var text = Path.Combine(manager.Directory.Path, "module.wat");
        await File.WriteAllTextAsync(text, "(module)");

        var missing = await manager.CliAsync("tasks", "upload", id, "nope.wasm");
        var notWasm = await manager.CliAsync("tasks", "upload", id, text);

        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("propeller-cli: nope.wasm: no such file", missing.StderrLines[0]);
        Assert.Equal(1, notWasm.ExitCode);
        Assert.StartsWith($"propeller-cli: {text}: the file is not a WebAssembly module", Assert.Single(notWasm.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tasks", "frobnicate")]
    [InlineData("tasks", "list", "--bogus")]
    [InlineData("tasks", "view")]
    [InlineData("tasks", "create")]
    [InlineData("tasks", "create", "x", "--env", "NOEQUALS")]
    [InlineData("tasks", "list", "--state", "sleeping")]
    [InlineData("tasks", "list", "--limit", "many")]
    [InlineData("-o", "xml", "health")]
    [InlineData("--manager-url", "ftp://example.org", "health")]
    [InlineData("proplets", "list", "--status", "asleep")]
    [InlineData("tasks", "update", "3fc0a69a-6c1c-4944-bd71-1117e9ddcf31")]
    [InlineData("tasks")]
    [InlineData("tasks", "view", "")]
    public async Task A_wrong_command_line_exits_2(params string[] arguments)
    {
        var result = await manager.CliAsync(arguments);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("propeller-cli: ", result.StderrLines[0], StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}

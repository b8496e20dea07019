using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>The seeds' REST flow (create with cli_args, upload, start, read results) against real processes.</summary>
public sealed class SeedsFlowTests(LocalStack stack) : IClassFixture<LocalStack>
{
    [Fact]
    public async Task Create_upload_start_and_read_the_guests_output()
    {
        var fixture = System.IO.Directory.CreateDirectory(Path.Combine(stack.Directory.Path, "fixture")).FullName;
        await File.WriteAllTextAsync(Path.Combine(fixture, "greeting.txt"), "model weights would live here\n");

        // a. Create the task; cli_args must be set at creation time.
        var created = await TaskCalls.CreateAsync(stack.Http, $$$"""
            {"name": "wasi-nn-demo", "cli_args": ["--dir={{{fixture}}}::fixture"], "inputs": ["first", 2], "env": {"GREETING": "hello propeller"}}
            """);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("wasi-nn-demo", created.GetProperty("name").GetString());
        Assert.Equal(0, created.GetProperty("state").GetInt32());
        Assert.Equal($"--dir={fixture}::fixture", created.GetProperty("cli_args")[0].GetString());
        Assert.Equal("0001-01-01T00:00:00Z", created.GetProperty("start_time").GetString());
        Assert.False(created.GetProperty("daemon").GetBoolean());

        // Upload the module as multipart form data; the answer is the task with the module in base64.
        var module = Repository.Guest("greet");
        using (var upload = await TaskCalls.UploadAsync(stack.Http, id, module, "greet.wasm"))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            var uploaded = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(module, uploaded.GetProperty("file").GetBytesFromBase64());
        }

        // Start it: {"started":true}.
        using (var start = await TaskCalls.StartAsync(stack.Http, id))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            Assert.Equal("""{"started":true}""", await start.Content.ReadAsStringAsync());
        }

        // Monitor until Completed, then read the results as the seeds do (jq '.results').
        var done = await TaskCalls.WaitForEndAsync(stack.Http, id, "the greet guest ends at once");
        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.Equal(
            "Hello from a WebAssembly guest\narg[1]=first\narg[2]=2\nGREETING=hello propeller\nfixture: model weights would live here\n",
            done.GetProperty("results").GetString());
        Assert.False(done.TryGetProperty("error", out _));
        Assert.Equal(stack.PropletId, done.GetProperty("proplet_id").GetString());
        var started = done.GetProperty("start_time").GetDateTime();
        var finished = done.GetProperty("finish_time").GetDateTime();
        Assert.True(started > DateTime.UnixEpoch && finished >= started, $"start {started}, finish {finished}");

        var results = await stack.Http.GetTaskPartAsync(id, "results");
        Assert.Equal(done.GetProperty("results").GetString(), results.GetProperty("results").GetString());
        await stack.Proplet.WaitForLogAsync($"Task completed {id} exit_code=0", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_guest_that_exits_non_zero_fails_with_the_status_and_stderr_tail()
    {
        var done = await TaskCalls.RunAsync(stack.Http, """{"name": "fails", "inputs": [7]}""", Repository.Guest("exit-code"), "the guest exits at once");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Equal("Process exited with status 7: guest error: the model file is missing (exiting with 7)", done.GetProperty("error").GetString());
        Assert.Equal("about to fail\n", done.GetProperty("results").GetString());
    }

    [Fact]
    public async Task Stop_interrupts_a_running_task_and_kills_its_process()
    {
        var id = (await TaskCalls.CreateAsync(stack.Http, """{"name": "sleeper", "inputs": [600]}""")).GetProperty("id").GetString()!;
        (await TaskCalls.UploadAsync(stack.Http, id, Repository.Guest("sleep"))).Dispose();
        (await TaskCalls.StartAsync(stack.Http, id)).Dispose();
        await stack.Proplet.WaitForLogAsync($"Executing task {id}", TimeSpan.FromSeconds(30));
        // Scheduled (1) until the proplet confirms the run has begun, then Running (2).
        var running = await TaskCalls.WaitForStateAsync(stack.Http, id, s => s == 2, "the proplet's confirmation");
        Assert.Equal([0, 1, 2], running.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("state").GetInt32()));

        using var stop = await stack.Http.PostAsync(new Uri($"/tasks/{id}/stop", UriKind.Relative), null);
        Assert.Equal("""{"stopped":true}""", await stop.Content.ReadAsStringAsync());

        var stopped = await TaskCalls.GetAsync(stack.Http, id);
        Assert.Equal(6, stopped.GetProperty("state").GetInt32());
        await stack.Proplet.WaitForLogAsync($"Task {id} stopped: runtime process", TimeSpan.FromSeconds(30));
        // The log line comes as the kill is sent; the process may take a moment to be gone (a hang guard, not a bound).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (RunningCommandLines().Contains($"proplet_{id}.wasm", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.DoesNotContain($"proplet_{id}.wasm", RunningCommandLines(), StringComparison.Ordinal);

        // Stopping again is a conflict that says why.
        var (status, error) = await TaskCalls.ErrorOf(stack.Http.PostAsync(new Uri($"/tasks/{id}/stop", UriKind.Relative), null));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("is not running", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_finished_task_can_be_started_again()
    {
        var first = await TaskCalls.RunAsync(stack.Http, """{"name": "again"}""", Repository.Guest("greet"), "first run");
        var id = first.GetProperty("id").GetString()!;
        (await TaskCalls.StartAsync(stack.Http, id)).Dispose();
        var second = await TaskCalls.WaitForStateAsync(stack.Http, id, s => s == 3, "second run");
        Assert.Equal(first.GetProperty("results").GetString(), second.GetProperty("results").GetString());
        Assert.True(second.GetProperty("finish_time").GetDateTime() > first.GetProperty("finish_time").GetDateTime(), "the second run ended later than the first");
    }

    [Fact]
    public async Task The_proplet_is_listed_alive_with_what_it_runs()
    {
        var page = await stack.Http.GetFromJsonAsync<JsonElement>(new Uri("/proplets?status=active", UriKind.Relative));
        var proplet = page.GetProperty("proplets").EnumerateArray().Single(p => p.GetProperty("id").GetString() == stack.PropletId);
        Assert.True(proplet.GetProperty("alive").GetBoolean());
        Assert.Equal($"host:{Repository.NodeWasiRuntime}", proplet.GetProperty("metadata").GetProperty("wasm_runtime").GetString());
        Assert.True(proplet.GetProperty("alive_history").GetArrayLength() >= 1);
    }

    private static string RunningCommandLines() =>
        string.Join('\n', System.IO.Directory.GetDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                }
                catch (IOException)
                {
                    return "";
                }
                catch (UnauthorizedAccessException)
                {
                    return "";
                }
            }));
}

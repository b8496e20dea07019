using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// One task definition, three runtimes: the same create/upload/start gives the same results and the
/// same errors whether a proplet spawns an external runtime or runs the guest in-process.
/// </summary>
public sealed class RuntimesTests(RuntimesStack stack) : IClassFixture<RuntimesStack>
{
    public static TheoryData<string> AllRuntimes => [RuntimesStack.Node, RuntimesStack.PropellerWasm, RuntimesStack.Embedded];

    public static TheoryData<string> OurRuntimes => [RuntimesStack.PropellerWasm, RuntimesStack.Embedded];

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task The_seeds_task_gives_the_same_results_everywhere(string proplet)
    {
        var fixture = stack.Fixture;
        await File.WriteAllTextAsync(Path.Combine(fixture, "greeting.txt"), "model weights would live here\n");

        var done = await TaskCalls.RunAsync(stack.Http, $$$"""
            {"name": "greet", "cli_args": ["--dir={{{fixture}}}::fixture"], "inputs": ["first", 2], "env": {"GREETING": "hello propeller"}, "proplet_id": "{{{proplet}}}"}
            """, Repository.Guest("greet"), "the greet guest ends at once");

        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.Equal(
            "Hello from a WebAssembly guest\narg[1]=first\narg[2]=2\nGREETING=hello propeller\nfixture: model weights would live here\n",
            done.GetProperty("results").GetString());
        Assert.Equal(proplet, done.GetProperty("proplet_id").GetString());
    }

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task A_non_zero_exit_fails_with_the_status_and_stderr(string proplet)
    {
        var done = await TaskCalls.RunAsync(stack.Http, $$"""{"name": "fails", "inputs": [7], "proplet_id": "{{proplet}}"}""", Repository.Guest("exit-code"), "the guest exits at once");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Equal("Process exited with status 7: guest error: the model file is missing (exiting with 7)", done.GetProperty("error").GetString());
        Assert.Equal("about to fail\n", done.GetProperty("results").GetString());
    }

    [Theory]
    [MemberData(nameof(OurRuntimes))]
    public async Task An_endless_loop_fails_at_its_deadline_and_the_proplet_goes_on(string proplet)
    {
        var done = await TaskCalls.RunAsync(stack.Http, $$"""{"name": "spin", "timeout": 1, "proplet_id": "{{proplet}}"}""", Repository.Guest("forever"), "the deadline is 1 s");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Equal("deadline exceeded after 1 s", done.GetProperty("error").GetString());
        Assert.Equal("1s", done.GetProperty("timeout").GetString());

        var next = await TaskCalls.RunAsync(stack.Http, $$"""{"name": "after", "proplet_id": "{{proplet}}"}""", Repository.Guest("greet"), "greet ends at once");
        Assert.Equal(3, next.GetProperty("state").GetInt32());
    }

    [Fact]
    public async Task Stop_ends_an_endless_loop_in_the_embedded_engine()
    {
        var id = (await TaskCalls.CreateAsync(stack.Http, $$"""{"name": "spin", "proplet_id": "{{RuntimesStack.Embedded}}"}""")).GetProperty("id").GetString()!;
        (await TaskCalls.UploadAsync(stack.Http, id, Repository.Guest("forever"))).Dispose();
        (await TaskCalls.StartAsync(stack.Http, id)).Dispose();
        await stack.Proplet(RuntimesStack.Embedded).WaitForLogAsync($"Executing task {id}", TimeSpan.FromSeconds(30));

        using var stop = await stack.Http.PostAsync(new Uri($"/tasks/{id}/stop", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        await stack.Proplet(RuntimesStack.Embedded).WaitForLogAsync($"Task {id} stopped before it ended", TimeSpan.FromSeconds(30));
        Assert.Equal(6, (await TaskCalls.GetAsync(stack.Http, id)).GetProperty("state").GetInt32());

        var next = await TaskCalls.RunAsync(stack.Http, $$"""{"name": "after-stop", "proplet_id": "{{RuntimesStack.Embedded}}"}""", Repository.Guest("greet"), "greet ends at once");
        Assert.Equal(3, next.GetProperty("state").GetInt32());
    }

    [Fact]
    public async Task A_task_named_after_an_export_calls_it_with_its_inputs()
    {
        var done = await TaskCalls.RunAsync(stack.Http, $$"""{"name": "add", "inputs": [40, 2], "proplet_id": "{{RuntimesStack.Embedded}}"}""", Repository.Guest("arith"), "add returns at once");

        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.Equal("[42]", done.GetProperty("results").GetRawText());
    }

    [Fact]
    public async Task Inputs_that_do_not_fit_the_export_fail_the_task_with_the_signature()
    {
        var done = await TaskCalls.RunAsync(stack.Http, $$"""{"name": "add", "inputs": ["forty", 2], "proplet_id": "{{RuntimesStack.Embedded}}"}""", Repository.Guest("arith"), "fails at once");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Equal("argument 1 of `add` must be i32: `forty` is not", done.GetProperty("error").GetString());
    }

    [Theory]
    [MemberData(nameof(OurRuntimes))]
    public async Task A_wasi_nn_guest_without_nn_names_the_missing_import(string proplet)
    {
        var done = await TaskCalls.RunAsync(stack.Http, $$"""{"name": "nn", "proplet_id": "{{proplet}}"}""", Repository.Guest("nn-import"), "linking fails at once");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Contains("unknown import: `wasi_ephemeral_nn::get_output` has not been defined", done.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_embedded_proplet_says_which_runtime_it_is()
    {
        var proplet = await stack.Http.GetFromJsonAsync<JsonElement>(new Uri($"/proplets/{RuntimesStack.Embedded}", UriKind.Relative));

        Assert.Equal("embedded:javascriptcore", proplet.GetProperty("metadata").GetProperty("wasm_runtime").GetString());
    }
}

using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Propeller.Core.Json;
using Propeller.Core.Messaging;
using Propeller.Mqtt;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// The proplet's sandbox limits through a real manager and real proplets on all three runtimes: a task
/// maps host directories only inside PROPLET_ALLOWED_DIRS (here the stack's fixture/ and the wasi-nn
/// example's fixture), whatever way it tries to leave them (an absolute path, <c>..</c>, a symbolic
/// link, <c>-S nn-graph</c>), and only flags of the runtime grammar reach a runtime.
/// </summary>
public sealed class SandboxTests(RuntimesStack stack) : IClassFixture<RuntimesStack>
{
    public static TheoryData<string> AllRuntimes => [RuntimesStack.Node, RuntimesStack.PropellerWasm, RuntimesStack.Embedded];

    /// <summary>The runtimes with wasi-nn, where <c>-S nn-graph</c> tasks are placed.</summary>
    public static TheoryData<string> NnRuntimes => [RuntimesStack.PropellerWasm, RuntimesStack.Embedded];

    private string Allowed => $"PROPLET_ALLOWED_DIRS ({stack.Fixture}, {Repository.WasiNnFixture})";

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task A_directory_inside_an_allowed_one_is_mapped_also_through_a_symlink_that_stays_inside(string proplet)
    {
        var models = Directory.CreateDirectory(Path.Combine(stack.Fixture, $"models-{proplet}")).FullName;
        await File.WriteAllTextAsync(Path.Combine(models, "greeting.txt"), $"read on {proplet}\n");
        var current = Path.Combine(stack.Fixture, $"current-{proplet}");
        Directory.CreateSymbolicLink(current, $"models-{proplet}");

        var done = await RunGreetAsync(proplet, $"--dir={current}::fixture");

        Assert.True(done.GetProperty("state").GetInt32() == 3, done.ToString());
        Assert.EndsWith($"fixture: read on {proplet}\n", done.GetProperty("results").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task A_directory_outside_fails_the_task_naming_it_and_the_setting(string proplet)
    {
        var done = await RunGreetAsync(proplet, "--dir=/etc::etc");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Equal($"--dir=/etc::etc: /etc is not inside {Allowed}; add it there or map a directory inside it", done.GetProperty("error").GetString());
    }

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task Dot_dot_cannot_climb_out_of_an_allowed_directory(string proplet)
    {
        var outside = Outside();

        var done = await RunGreetAsync(proplet, "--dir", $"{stack.Fixture}/../outside::fixture");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Equal($"--dir={stack.Fixture}/../outside::fixture: {outside} is not inside {Allowed}; add it there or map a directory inside it", done.GetProperty("error").GetString());
        Assert.DoesNotContain("the secret", done.GetProperty("results").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task A_symlink_inside_an_allowed_directory_that_leads_outside_is_refused(string proplet)
    {
        var outside = Outside();
        var escape = Path.Combine(stack.Fixture, $"escape-{proplet}");
        Directory.CreateSymbolicLink(escape, outside);

        var done = await RunGreetAsync(proplet, $"--dir={escape}");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Equal($"--dir={escape}: {escape} (which leads to {outside}) is not inside {Allowed}; add it there or map a directory inside it", done.GetProperty("error").GetString());
        Assert.DoesNotContain("the secret", done.GetProperty("results").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NnRuntimes))]
    public async Task A_graph_directory_outside_is_refused(string proplet)
    {
        var outside = Outside();

        var done = await RunGreetAsync(proplet, "-S", $"nn-graph=onnx::{outside}");

        Assert.Equal(4, done.GetProperty("state").GetInt32());
        Assert.Equal($"-S nn-graph=onnx::{outside}: {outside} is not inside {Allowed}; add it there or name a graph directory inside it", done.GetProperty("error").GetString());
    }

    [Theory]
    [MemberData(nameof(NnRuntimes))]
    public async Task A_graph_directory_inside_is_loaded_and_named_after_it(string proplet)
    {
        var done = await TaskCalls.RunAsync(stack.Http, Json(new
        {
            name = "classification",
            cli_args = new[] { "-S", $"nn-graph=onnx::{Repository.WasiNnFixture}", $"--dir={Repository.WasiNnFixture}::fixture" },
            inputs = new[] { "--graph", "fixture", "--tensor", "fixture/tensor.bin" },
            proplet_id = proplet,
        }), Repository.WasiNnGuest("classification-c"), "one inference of a small model");

        Assert.True(done.GetProperty("state").GetInt32() == 3, done.ToString());
        Assert.StartsWith("Loaded named graph: fixture\n", done.GetProperty("results").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--mystery", "cli_args: unknown option `--mystery`; accepted: -S nn, -S nn-graph=ENCODING::DIR, --dir=HOST[::GUEST], --env NAME=VALUE, --invoke NAME, -W timeout=DURATION, -W max-memory-size=BYTES")]
    [InlineData("-S|inherit-network", "cli_args: unknown WASI option `-S inherit-network`; accepted: -S nn, -S nn-graph=ENCODING::DIR")]
    [InlineData("--env|HOME", "cli_args: --env HOME: a task gives every variable its value (--env HOME=VALUE, or the task's env); a bare name would pass the proplet's own HOME")]
    [InlineData("/etc/passwd", "cli_args: unexpected argument `/etc/passwd` in cli_args: they hold runtime flags only")]
    public async Task The_manager_refuses_flags_no_proplet_passes_on_with_what_is_accepted(string cliArgs, string expected)
    {
        var (status, error) = await TaskCalls.ErrorOf(stack.Http.PostAsync(
            new Uri("/tasks", UriKind.Relative),
            new StringContent(Json(new { name = "odd", cli_args = cliArgs.Split('|') }), System.Text.Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    /// <summary>A task stored before the manager checked cli_args, or a start from another manager: the proplet holds the line too.</summary>
    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task A_start_with_a_flag_outside_the_grammar_is_failed_by_the_proplet_without_running(string proplet)
    {
        var topics = new Topics(stack.Manager.DomainId, stack.Manager.ChannelId);
        var results = Channel.CreateUnbounded<ResultMessage>();
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = stack.Manager.BrokerPort, ClientId = $"test-sandbox-{Guid.NewGuid():N}" });
        client.MessageHandler = (message, _) =>
        {
            results.Writer.TryWrite(JsonSerializer.Deserialize(message.Payload.Span, PropellerJsonContext.Default.ResultMessage)!);
            return Task.CompletedTask;
        };
        await client.ConnectAsync();
        await client.SubscribeAsync(topics.PropletResults, MqttQos.AtLeastOnce);

        var id = Guid.NewGuid();
        var start = new StartMessage { Id = id, Name = "sneaky", File = Repository.Guest("greet"), CliArgs = ["-S", "inherit-network=y"], PropletId = proplet, Attempt = 1 };
        await client.PublishAsync(new MqttApplicationMessage(topics.ManagerStart, JsonSerializer.SerializeToUtf8Bytes(start, PropellerJsonContext.Default.StartMessage), MqttQos.AtLeastOnce));

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard; the answer comes at once
        ResultMessage result;
        do
        {
            result = await results.Reader.ReadAsync(wait.Token);
        }
        while (result.TaskId != id);

        Assert.Equal(proplet, result.PropletId);
        Assert.Equal("unknown WASI option `-S inherit-network=y`; accepted: -S nn, -S nn-graph=ENCODING::DIR", result.Error);
        Assert.Null(result.ExitCode);
        Assert.Equal("", result.Results?.GetString());
    }

    [Fact]
    public async Task A_proplet_says_at_start_what_tasks_may_map_and_warns_about_a_missing_directory()
    {
        foreach (var proplet in new[] { RuntimesStack.Node, RuntimesStack.PropellerWasm, RuntimesStack.Embedded })
        {
            await stack.Proplet(proplet).WaitForLogAsync($"Tasks may map host directories inside {Allowed}", TimeSpan.FromSeconds(10));
        }

        var missing = stack.Directory.Combine("not-mounted");
        await using var another = await PropletProcess.StartForAsync(stack.Manager, null, "proplet-missing-dir", allowedDirs: [missing]);
        await another.WaitForLogAsync($"PROPLET_ALLOWED_DIRS names {missing}, which does not exist (yet): tasks cannot map it", TimeSpan.FromSeconds(10));
    }

    /// <summary>A directory of the stack's own next to fixture/, so outside what proplets allow, holding what no task may read.</summary>
    private string Outside()
    {
        var outside = Directory.CreateDirectory(stack.Directory.Combine("outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "greeting.txt"), "the secret\n");
        return outside;
    }

    private Task<JsonElement> RunGreetAsync(string proplet, params string[] cliArgs) =>
        TaskCalls.RunAsync(stack.Http, Json(new { name = "greet", cli_args = cliArgs, proplet_id = proplet }), Repository.Guest("greet"), "the greet guest ends at once");

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}

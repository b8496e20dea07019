using System.Net.Http.Json;
using System.Text.Json;
using Propeller.Core.Json;
using Propeller.Core.Messaging;
using Propeller.Mqtt;
using Propeller.Testing;
using Propeller.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Propeller.IntegrationTests.Fuzz;

/// <summary>
/// Generated payloads on the topics a live manager and a live proplet read, published through the embedded broker
/// with the project's MQTT client. While a task runs: both processes stay up and connected, nothing is logged as an
/// error, the running task ends as it would have (Completed with its real output), and the tasks the storm names
/// but must not touch (a finished one, a pending one) are unchanged.
/// </summary>
public sealed class MqttFuzzTests(FuzzStack stack, ITestOutputHelper output) : IClassFixture<FuzzStack>
{
    private HttpClient Http => stack.Http;

    [Fact]
    public async Task Garbage_to_the_manager_changes_no_task_and_stops_nothing()
    {
        await StormAsync("MQTT: payloads to the manager (control/proplet/+)", generators => generators.ToManager, 500);
        Report("manager", stack.Manager.Process.Log, "Malformed message on");
    }

    [Fact]
    public async Task Garbage_to_the_proplet_changes_no_task_and_stops_nothing()
    {
        await StormAsync("MQTT: payloads to the proplet (control/manager/+)", generators => generators.ToProplet, 500);
        Report("proplet", stack.Proplet.Log, "Malformed message on");
        Report("proplet", stack.Proplet.Log, "Executing task");
    }

    [Theory]
    [InlineData("\"cli_args\": [null]", "the start message is malformed: cli_args[0] is null")]
    [InlineData("\"cli_args\": [\"--env\", null]", "the start message is malformed: cli_args[1] is null")]
    [InlineData("\"env\": {\"GREETING\": null}", "the start message is malformed: env.GREETING is null")]
    public async Task A_start_with_nulls_the_manager_never_sends_fails_with_a_clear_error(string fields, string expected)
    {
        var topics = new Topics(stack.Manager.DomainId, stack.Manager.ChannelId);
        var results = System.Threading.Channels.Channel.CreateUnbounded<ResultMessage>();
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = stack.Manager.BrokerPort, ClientId = $"fuzz-observer-{Guid.NewGuid():N}" });
        client.MessageHandler = (message, _) =>
        {
            results.Writer.TryWrite(JsonSerializer.Deserialize(message.Payload.Span, PropellerJsonContext.Default.ResultMessage)!);
            return Task.CompletedTask;
        };
        await client.ConnectAsync();
        await client.SubscribeAsync(topics.PropletResults, MqttQos.AtLeastOnce);
        var id = Guid.NewGuid();

        var start = $$"""{"id": "{{id}}", "name": "greet", "proplet_id": "{{stack.PropletId}}", "attempt": 1, "file": "{{Convert.ToBase64String(Repository.Guest("greet"))}}", {{fields}}}""";
        await client.PublishAsync(new MqttApplicationMessage(topics.ManagerStart, System.Text.Encoding.UTF8.GetBytes(start), MqttQos.AtLeastOnce));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        ResultMessage result;
        do
        {
            result = await results.Reader.ReadAsync(timeout.Token);
        }
        while (result.TaskId != id);

        Assert.Equal(expected, result.Error);
        Assert.False(stack.Proplet.HasExited);
        Assert.DoesNotContain("NullReferenceException", stack.Proplet.Log, StringComparison.Ordinal);
    }

    /// <summary>Shows (and requires) that the storm reached the program: it dropped messages, or ran the starts addressed to it.</summary>
    private void Report(string who, string log, string what)
    {
        var count = log.Split('\n').Count(line => line.Contains(what, StringComparison.Ordinal));
        output.WriteLine($"fuzz: the {who} logged \"{what}\" {count} times");
        Assert.True(count > 0, $"the {who} never logged \"{what}\": the storm did not reach it");
    }

    private async Task StormAsync(string property, Func<MqttPayloadGenerators, FsCheck.Gen<HostileMessage>> messages, int count)
    {
        var topics = new Topics(stack.Manager.DomainId, stack.Manager.ChannelId);
        var pending = (await TaskCalls.CreateAsync(Http, """{"name": "pending while the storm blows"}""")).GetProperty("id").GetString()!;
        var pendingJson = await Http.GetStringAsync(new Uri($"/tasks/{pending}", UriKind.Relative));
        var sleeper = (await TaskCalls.CreateAsync(Http, $$"""{"name": "sleeper", "inputs": [4], "proplet_id": "{{stack.PropletId}}"}""")).GetProperty("id").GetString()!;
        (await TaskCalls.UploadAsync(Http, sleeper, Repository.Guest("sleep"))).Dispose();
        (await TaskCalls.StartAsync(Http, sleeper)).Dispose();
        var attempt = (await TaskCalls.WaitForStateAsync(Http, sleeper, s => s == 2, "the sleeper runs before the storm")).GetProperty("attempt").GetInt32();
        var generators = new MqttPayloadGenerators(topics, stack.PropletId, [Guid.Parse(stack.SentinelId), Guid.Parse(pending), Guid.Parse(sleeper)], Guid.Parse(sleeper), attempt);

        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = stack.Manager.BrokerPort, ClientId = $"fuzz-publisher-{Guid.NewGuid():N}" });
        await client.ConnectAsync();
        await FuzzRunner.CheckAsync(property, messages(generators), count, async message =>
        {
            await client.PublishAsync(new MqttApplicationMessage(message.Topic, message.Payload, message.AtLeastOnce ? MqttQos.AtLeastOnce : MqttQos.AtMostOnce));
        }, output.WriteLine);

        await WaitUntilHandledAsync(client, topics);
        var slept = await TaskCalls.WaitForEndAsync(Http, sleeper, "the sleeper ends after the storm");
        Assert.Equal(3, slept.GetProperty("state").GetInt32());
        Assert.Equal("started\nwoke up\n", slept.GetProperty("results").GetString());
        Assert.Equal(stack.PropletId, slept.GetProperty("proplet_id").GetString());
        Assert.Equal([0, 1, 2, 3], slept.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("state").GetInt32()));
        Assert.Equal(pendingJson, await Http.GetStringAsync(new Uri($"/tasks/{pending}", UriKind.Relative)));
        var proplet = await Http.GetFromJsonAsync<JsonElement>(new Uri($"/proplets/{stack.PropletId}", UriKind.Relative));
        Assert.True(proplet.GetProperty("alive").GetBoolean(), $"the proplet is alive at the manager after the storm: {proplet}");
        Assert.True(client.IsConnected, "the publisher is still connected");
        await stack.AssertIntactAsync(property);
    }

    /// <summary>
    /// Both read their messages one at a time in order: once the manager has handled a marker announcement and the
    /// proplet has answered a marker start (its failure reaches the manager as a result for an unknown task), every
    /// message of the storm before them has been handled.
    /// </summary>
    private async Task WaitUntilHandledAsync(MqttClient client, Topics topics)
    {
        var marker = $"fuzz-marker-{Guid.NewGuid():N}";
        var create = new CreateMessage { PropletId = marker, Name = marker };
        await client.PublishAsync(new MqttApplicationMessage(topics.PropletCreate, JsonSerializer.SerializeToUtf8Bytes(create, PropellerJsonContext.Default.CreateMessage), MqttQos.AtLeastOnce));
        var markerTask = Guid.NewGuid();
        var start = new StartMessage { Id = markerTask, Name = "marker", PropletId = stack.PropletId, Attempt = 1 };
        await client.PublishAsync(new MqttApplicationMessage(topics.ManagerStart, JsonSerializer.SerializeToUtf8Bytes(start, PropellerJsonContext.Default.StartMessage), MqttQos.AtLeastOnce));

        await stack.Manager.Process.WaitForLogAsync(marker, TimeSpan.FromSeconds(60));
        await stack.Manager.Process.WaitForLogAsync($"Result for unknown task {markerTask}", TimeSpan.FromSeconds(60));
    }
}

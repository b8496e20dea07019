using System.Net;
using Xunit.Abstractions;

namespace Propeller.Mqtt.Tests.Support;

/// <summary>Starts brokers and clients wired to test loggers.</summary>
internal static class TestBroker
{
    /// <param name="logger">Keeps the broker's log for assertions; by default it goes to <paramref name="output"/>.</param>
    public static async Task<MqttBroker> StartAsync(ITestOutputHelper? output = null, MqttBrokerOptions? options = null, TestLogger<MqttBroker>? logger = null)
    {
        var broker = new MqttBroker(options ?? new MqttBrokerOptions { Port = 0 }, logger ?? new TestLogger<MqttBroker>(output, "broker"));
        await broker.StartAsync();
        return broker;
    }

    public static MqttClientOptions Options(IPEndPoint endPoint, string clientId) => new()
    {
        Host = endPoint.Address.ToString(),
        Port = endPoint.Port,
        ClientId = clientId,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    public static MqttClient NewClient(MqttClientOptions options, ITestOutputHelper? output = null, MessageCollector? collector = null)
    {
        var client = new MqttClient(options, new TestLogger<MqttClient>(output, options.ClientId));
        if (collector is not null)
        {
            client.MessageHandler = collector.Handler;
        }

        return client;
    }

    public static async Task<MqttClient> ConnectAsync(IPEndPoint endPoint, string clientId, ITestOutputHelper? output = null, MessageCollector? collector = null, Func<MqttClientOptions, MqttClientOptions>? configure = null)
    {
        var options = Options(endPoint, clientId);
        var client = NewClient(configure?.Invoke(options) ?? options, output, collector);
        await client.ConnectAsync(Guard.Token());
        return client;
    }

    public static MqttApplicationMessage Message(string topic, string payload, MqttQos qos = MqttQos.AtMostOnce, bool retain = false) =>
        new(topic, System.Text.Encoding.UTF8.GetBytes(payload), qos, retain);

    public static string Text(this MqttApplicationMessage message) => System.Text.Encoding.UTF8.GetString(message.Payload.Span);
}

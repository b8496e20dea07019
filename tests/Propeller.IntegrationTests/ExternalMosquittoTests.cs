using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>The seeds' flow once more through Debian's real Mosquitto instead of the embedded broker.</summary>
public sealed class ExternalMosquittoTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_flow_works_through_mosquitto()
    {
        await using var mosquitto = await MosquittoProcess.StartAsync();
        var address = $"tcp://{mosquitto.Address}";
        await using var manager = await ManagerProcess.StartAsync(_directory, externalMqttAddress: address);
        await using var proplet = await PropletProcess.StartForAsync(manager, Repository.NodeWasiRuntime, mqttAddress: address);

        var done = await TaskCalls.RunAsync(manager.Http, """{"name": "via-mosquitto", "inputs": ["m"]}""", Repository.Guest("greet"), "through mosquitto");
        Assert.Equal(3, done.GetProperty("state").GetInt32());
        Assert.Contains("arg[1]=m\n", done.GetProperty("results").GetString(), StringComparison.Ordinal);

        var failed = await TaskCalls.RunAsync(manager.Http, """{"name": "fails-via-mosquitto"}""", Repository.Guest("exit-code"), "through mosquitto");
        Assert.Equal(4, failed.GetProperty("state").GetInt32());
        Assert.StartsWith("Process exited with status 3:", failed.GetProperty("error").GetString(), StringComparison.Ordinal);

        // The manager never opened its own broker: nothing listens on the embedded broker's port.
        Assert.DoesNotContain("Embedded MQTT broker listening", manager.Process.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manager_and_proplet_started_before_the_broker_connect_once_it_is_up()
    {
        var port = FreePort.Get();
        var address = $"tcp://127.0.0.1:{port}";
        await using var manager = await ManagerProcess.StartAsync(_directory, externalMqttAddress: address);
        const string propletId = "proplet-early";
        await using var proplet = PropletProcess.Start(address, manager.DomainId, manager.ChannelId, propletId, Repository.NodeWasiRuntime);
        await manager.Process.WaitForLogAsync($"Cannot connect to the MQTT broker at 127.0.0.1:{port}", TimeSpan.FromSeconds(30));
        await proplet.WaitForLogAsync($"Cannot connect to the MQTT broker at 127.0.0.1:{port} (PROPLET_MQTT_ADDRESS)", TimeSpan.FromSeconds(30));

        await using var mosquitto = await MosquittoProcess.StartAsync(port);
        await manager.WaitForAlivePropletAsync(propletId, TimeSpan.FromSeconds(30));

        var done = await TaskCalls.RunAsync(manager.Http, """{"name": "late-broker"}""", Repository.Guest("greet"), "once the broker is up");
        Assert.Equal(3, done.GetProperty("state").GetInt32());
    }
}

namespace Propeller.Mqtt.Tests;

public class AddressParsingTests
{
    [Theory]
    [InlineData("tcp://broker:1884", "broker", 1884, false)]
    [InlineData("mqtt://10.0.0.5:1883", "10.0.0.5", 1883, false)]
    [InlineData("TCP://broker.local:2000/", "broker.local", 2000, false)]
    [InlineData("localhost:1885", "localhost", 1885, false)]
    [InlineData("localhost", "localhost", 1883, false)]
    [InlineData("tcp://localhost", "localhost", 1883, false)]
    [InlineData("  host_1  ", "host_1", 1883, false)]
    [InlineData("[::1]:1883", "::1", 1883, false)]
    [InlineData("tcp://[::1]", "::1", 1883, false)]
    [InlineData("ssl://broker:8884", "broker", 8884, true)]
    [InlineData("ssl://broker", "broker", 8883, true)]
    [InlineData("TLS://broker.example.com", "broker.example.com", 8883, true)]
    [InlineData("mqtts://[::1]", "::1", 8883, true)]
    [InlineData("mqtts://10.0.0.5:1883", "10.0.0.5", 1883, true)]
    public void Supported_forms_parse(string address, string host, int port, bool useTls) =>
        Assert.Equal((host, port, useTls), MqttClientOptions.ParseAddress(address));

    [Theory]
    [InlineData("ws://broker:80", "ws://")]
    [InlineData("wss://broker:443", "wss://")]
    [InlineData("ssl://broker:0", "port '0'")]
    [InlineData("", "empty")]
    [InlineData("broker:0", "port '0'")]
    [InlineData("broker:65536", "port '65536'")]
    [InlineData("broker:abc", "port 'abc'")]
    [InlineData("broker:", "port ''")]
    [InlineData("not a host!", "not a valid host")]
    [InlineData(":1883", "host is missing")]
    [InlineData("::1", "brackets")]
    [InlineData("tcp://broker:1883/path", "port '1883/path'")]
    public void Anything_else_is_a_format_error_quoting_the_input_and_an_example(string address, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => MqttClientOptions.ParseAddress(address));
        Assert.Contains($"'{address}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains("tcp://localhost:1883", ex.Message, StringComparison.Ordinal);
    }
}

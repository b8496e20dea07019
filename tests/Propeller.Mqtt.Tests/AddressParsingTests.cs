namespace Propeller.Mqtt.Tests;

public class AddressParsingTests
{
    [Theory]
    [InlineData("tcp://broker:1884", "broker", 1884)]
    [InlineData("mqtt://10.0.0.5:1883", "10.0.0.5", 1883)]
    [InlineData("TCP://broker.local:2000/", "broker.local", 2000)]
    [InlineData("localhost:1885", "localhost", 1885)]
    [InlineData("localhost", "localhost", 1883)]
    [InlineData("tcp://localhost", "localhost", 1883)]
    [InlineData("  host_1  ", "host_1", 1883)]
    [InlineData("[::1]:1883", "::1", 1883)]
    [InlineData("tcp://[::1]", "::1", 1883)]
    public void Supported_forms_parse(string address, string host, int port) =>
        Assert.Equal((host, port), MqttClientOptions.ParseAddress(address));

    [Theory]
    [InlineData("ssl://broker:8883", "ssl://")]
    [InlineData("mqtts://broker:8883", "mqtts://")]
    [InlineData("ws://broker:80", "ws://")]
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

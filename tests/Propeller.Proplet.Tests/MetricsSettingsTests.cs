using Propeller.Core.Configuration;

namespace Propeller.Proplet.Tests;

/// <summary>PROPLET_METRICS_PORT and PROPLET_METRICS_HOST as an operator writes them, and what a mistake says.</summary>
public sealed class MetricsSettingsTests
{
    private static PropletOptions Read(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value);
        return PropletOptions.FromSettings(new Settings(name => values.GetValueOrDefault(name)));
    }

    [Fact]
    public void Metrics_are_off_unless_a_port_is_set_and_listen_on_loopback_by_default()
    {
        Assert.Null(Read().MetricsPort);
        Assert.Null(Read(("PROPLET_METRICS_PORT", " ")).MetricsPort);

        var options = Read(("PROPLET_METRICS_PORT", "9464"));
        Assert.Equal(9464, options.MetricsPort);
        Assert.Equal("127.0.0.1", options.MetricsHost);
        Assert.Equal("0.0.0.0", Read(("PROPLET_METRICS_PORT", "9464"), ("PROPLET_METRICS_HOST", "0.0.0.0")).MetricsHost);
        Assert.Equal("::1", Read(("PROPLET_METRICS_HOST", "::1")).MetricsHost);
        Assert.Equal("localhost", Read(("PROPLET_METRICS_HOST", "localhost")).MetricsHost);
    }

    [Theory]
    [InlineData("PROPLET_METRICS_PORT", "9464x", "a whole number from 1 to 65535")]
    [InlineData("PROPLET_METRICS_PORT", "0", "a whole number from 1 to 65535")]
    [InlineData("PROPLET_METRICS_PORT", "70000", "a whole number from 1 to 65535")]
    [InlineData("PROPLET_METRICS_HOST", "metrics.example", "an IP address such as 127.0.0.1")]
    public void A_mistake_names_the_variable_and_what_it_takes(string name, string value, string expected)
    {
        var error = Assert.Throws<InvalidSettingException>(() => Read((name, value)));
        Assert.Equal(name, error.Name);
        Assert.Contains(expected, error.Message);
        Assert.Contains($"{name}='{value}'", error.Message);
    }
}

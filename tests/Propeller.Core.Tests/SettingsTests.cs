using Propeller.Core.Configuration;

namespace Propeller.Core.Tests;

public class SettingsTests
{
    private static Settings With(params (string Name, string Value)[] values) =>
        new(name => values.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void The_legacy_name_wins_over_the_current_one_when_both_are_set()
    {
        var settings = With(("PROPLET_DOMAIN_ID", "legacy"), ("PROPLET_TENANT_ID", "current"));
        Assert.Equal("legacy", settings.Get("PROPLET_DOMAIN_ID", "PROPLET_TENANT_ID"));
    }

    [Fact]
    public void The_current_name_is_used_when_the_legacy_one_is_unset_or_blank()
    {
        var settings = With(("PROPLET_DOMAIN_ID", "  "), ("PROPLET_TENANT_ID", "current"));
        Assert.Equal(("current", "PROPLET_TENANT_ID"), settings.Find("PROPLET_DOMAIN_ID", "PROPLET_TENANT_ID"));
    }

    [Fact]
    public void A_bad_number_names_the_variable_and_the_range()
    {
        var error = Assert.Throws<InvalidSettingException>(() => With(("MANAGER_HTTP_PORT", "70000")).GetInt(7070, 0, 65535, "MANAGER_HTTP_PORT"));
        Assert.Equal("MANAGER_HTTP_PORT='70000' is not valid: expected a whole number from 0 to 65535", error.Message);
    }

    [Fact]
    public void Intervals_accept_bare_seconds_and_units()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), With(("PROPLET_LIVELINESS_INTERVAL", "10")).GetDuration(TimeSpan.Zero, "PROPLET_LIVELINESS_INTERVAL"));
        Assert.Equal(TimeSpan.FromSeconds(10), With(("PROPLET_LIVELINESS_INTERVAL", "10s")).GetDuration(TimeSpan.Zero, "PROPLET_LIVELINESS_INTERVAL"));
        var error = Assert.Throws<InvalidSettingException>(() => With(("PROPLET_LIVELINESS_INTERVAL", "0")).GetDuration(TimeSpan.Zero, "PROPLET_LIVELINESS_INTERVAL"));
        Assert.Contains("PROPLET_LIVELINESS_INTERVAL='0'", error.Message, StringComparison.Ordinal);
    }
}

using Propeller.Core.Configuration;

namespace Propeller.Core.Tests;

public class DurationTests
{
    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("0.5", 500)]
    [InlineData(" 30s ", 30_000)]
    public void Accepts_the_forms_users_write(string text, double milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ten")]
    [InlineData("10 s")]
    [InlineData("10d")]
    [InlineData("-5")]
    [InlineData("s")]
    [InlineData("NaN")]
    [InlineData("99999999999")]
    public void Refuses_what_is_not_a_duration(string text) => Assert.False(Duration.TryParse(text, out _));
}

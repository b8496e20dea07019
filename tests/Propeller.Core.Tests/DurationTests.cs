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

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(30_000, "30s")]
    [InlineData(500, "500ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(0, "0ms")]
    public void Formats_durations_so_they_read_back_the_same(double milliseconds, string text)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(text, Duration.Format(duration));
        Assert.True(Duration.TryParse(text, out var back));
        Assert.Equal(duration, back);
    }
}

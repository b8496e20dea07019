using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Propeller.Core.Configuration;
using Propeller.Manager.Tasks;
using Propeller.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Tasks;

/// <summary>
/// A task's timeout is checked and normalised by the manager, stored as text and read again by the proplet. Whatever a
/// client sends, the manager either refuses it with a 400 or stores a duration the proplet reads back as the one asked
/// for (to the millisecond), more than 0 and at most 168h: a timeout the proplet would read as "none" must not pass.
/// </summary>
public sealed class TimeoutProperties(ITestOutputHelper output)
{
    private static readonly Gen<string> Timeouts = Gen.OneOf(
        Gen.Choose(-1000, 1_000_000).Select(ms => (ms / 1000.0).ToString(CultureInfo.InvariantCulture)),
        Gen.Elements("0.0001", "0.0004", "0.0005", "0.0015", "1e-7", "1e-300", "604800", "604800.0004", "604800.001", "-0", "1e308"),
        Gen.Elements("\"0.0001s\"", "\"0.4ms\"", "\"0.5ms\"", "\"1ms\"", "\"1h0.0001s\"", "\"168h\"", "\"168h0.4ms\"", "\"167h59m59.9999s\"", "\"30\"", "\"1.5.5s\""),
        from count in Gen.Choose(1, 3)
        from parts in Gen.ListOf(Gen.Zip(Gen.Choose(0, 200_000).Select(n => (n / 1000.0).ToString(CultureInfo.InvariantCulture)), Gen.Elements("ms", "s", "m", "h", "")), count)
        select "\"" + string.Concat(parts.Select(p => p.Item1 + p.Item2)) + "\"");

    [Fact]
    public void A_timeout_is_refused_or_stored_as_the_duration_the_proplet_reads_back()
    {
        FuzzRunner.Check("manager: task timeouts", Timeouts, 3000, json =>
        {
            var sent = JsonDocument.Parse(json).RootElement;
            string? stored;
            try
            {
                stored = TaskValidation.NormalizeTimeout(sent);
            }
            catch (ApiError e) when (e.Status == 400)
            {
                return;
            }

            Assert.True(Duration.TryParse(stored, out var read), $"timeout {json} was stored as '{stored}', which does not parse");
            Assert.True(read > TimeSpan.Zero && read <= TaskValidation.MaxTimeout, $"timeout {json} was stored as '{stored}' ({read}), which a proplet reads as no timeout or too long");
            var asked = sent.ValueKind == JsonValueKind.Number ? TimeSpan.FromSeconds(sent.GetDouble()) : Parse(sent.GetString()!);
            Assert.True((read - asked).Duration() <= TimeSpan.FromMilliseconds(0.5), $"timeout {json} was stored as '{stored}' ({read}), not {asked}");
        }, output.WriteLine);
    }

    private static TimeSpan Parse(string text) =>
        Duration.TryParse(text, out var duration) ? duration : throw new InvalidOperationException($"the manager accepted '{text}', which Duration does not read");
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FsCheck;
using FsCheck.Fluent;
using Propeller.Core.Configuration;
using Propeller.Core.Json;
using Propeller.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Propeller.IntegrationTests.Fuzz;

/// <summary>
/// The parsers behind the processes, in process: the JSON contracts of every MQTT message and of the task body may
/// refuse bytes only with a <see cref="JsonException"/> (the one exception the proplet's message loop turns into a
/// "malformed message" warning), and durations parse without throwing.
/// </summary>
public sealed class MessageParsingProperties(ITestOutputHelper output)
{
    private static readonly (string Name, JsonTypeInfo Type)[] Contracts =
    [
        ("start", PropellerJsonContext.Default.StartMessage),
        ("stop", PropellerJsonContext.Default.StopMessage),
        ("discover", PropellerJsonContext.Default.DiscoverMessage),
        ("results", PropellerJsonContext.Default.ResultMessage),
        ("running", PropellerJsonContext.Default.RunningMessage),
        ("alive", PropellerJsonContext.Default.AliveMessage),
        ("create", PropellerJsonContext.Default.CreateMessage),
        ("task body", PropellerJsonContext.Default.TaskRequest),
    ];

    [Fact]
    public void Every_message_contract_refuses_bad_bytes_only_with_a_json_exception()
    {
        var inputs =
            from contract in Gen.Elements(Contracts)
            from bytes in JsonGenerators.AnyBody.Where(b => b.Length < 256 * 1024)
            select (contract.Name, contract.Type, Bytes: bytes);
        FuzzRunner.Check("parsers: message and task contracts", inputs, 3000, input =>
        {
            try
            {
                JsonSerializer.Deserialize(input.Bytes, input.Type);
            }
            catch (JsonException)
            {
                // The one way a contract may refuse its input.
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"the {input.Name} contract threw {e.GetType().Name} ({e.Message}) for {System.Text.Encoding.UTF8.GetString(input.Bytes[..Math.Min(300, input.Bytes.Length)])}");
            }
        }, output.WriteLine);
    }

    [Fact]
    public void Durations_parse_without_throwing_and_stay_within_a_year()
    {
        var texts = Gen.OneOf(
            JsonGenerators.Text,
            Gen.Choose(0, 8).SelectMany(n => Gen.ListOf(Gen.Elements("1", "0", ".", "5", "9", "e", "ms", "s", "m", "h", "d", "-", "+", " ", "1e308", "NaN", "∞", "٣"), n)).Select(string.Concat));
        FuzzRunner.Check("parsers: durations", texts, 6000, text =>
        {
            if (Duration.TryParse(text, out var duration))
            {
                Assert.True(duration >= TimeSpan.Zero && duration <= TimeSpan.FromDays(365), $"'{text}' parsed as {duration}");
            }
        }, output.WriteLine);
    }
}

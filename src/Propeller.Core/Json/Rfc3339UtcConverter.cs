using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Propeller.Core.Json;

/// <summary>
/// Writes times as RFC 3339 in UTC with a trailing <c>Z</c>, the way upstream (Go) does; the unset time
/// is <c>0001-01-01T00:00:00Z</c>, not .NET's zone-less <c>0001-01-01T00:00:00</c>.
/// </summary>
public sealed class Rfc3339UtcConverter : JsonConverter<DateTime>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            throw new JsonException($"'{text}' is not an RFC 3339 time such as 2026-01-30T14:30:35Z");
        }

        return value.UtcDateTime;
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
        writer.WriteStringValue(utc.ToString(Format, CultureInfo.InvariantCulture));
    }
}

using System.Text.Json;

namespace Propeller.Manager.Api;

/// <summary>Turns System.Text.Json's messages into ones that name the field and the expected shape.</summary>
public static class JsonErrors
{
    public static string Describe(JsonException e)
    {
        var message = e.Message;
        var field = e.Path is { Length: > 2 } path ? path.TrimStart('$').TrimStart('.') : null;
        const string conversion = "The JSON value could not be converted to ";
        if (message.StartsWith(conversion, StringComparison.Ordinal))
        {
            var type = message[conversion.Length..].Split(' ', 2)[0].TrimEnd('.');
            return field is null
                ? "the body must be a JSON object, e.g. {\"name\": \"hello\"}"
                : $"field '{field}' must be {Expected(type)}";
        }

        if (message.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return "the body is empty: send a JSON object, e.g. {\"name\": \"hello\"}";
        }

        // Anything else is a syntax error: the reader stopped inside the document.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var reason = cut > 0 ? message[..cut] : message;
        var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
        var near = field is null ? "" : $" (near '{field}')";
        return $"the body is not valid JSON{where}{near}: {reason}";
    }

    private static string Expected(string type) => Unwrap(type) switch
    {
        "System.String" => "a string",
        "System.Boolean" => "true or false",
        "System.Byte[]" => "base64 text (the module's bytes, e.g. from base64 -w 0 module.wasm)",
        "System.Guid" => "a UUID string",
        "System.Int32" or "System.Int64" => "a whole number",
        _ when type.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "an array",
        _ when type.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal) => "an object whose values are strings",
        _ => "of another type",
    };

    /// <summary><c>System.Nullable`1[System.Boolean]</c> (or with assembly details) → <c>System.Boolean</c>.</summary>
    private static string Unwrap(string type)
    {
        const string nullable = "System.Nullable`1[";
        return type.StartsWith(nullable, StringComparison.Ordinal)
            ? type[nullable.Length..].TrimStart('[').Split(',', ']')[0]
            : type;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Propeller.IntegrationTests.Fuzz;

/// <summary>One generated HTTP request. The target is sent as written (percent-escapes included); big bodies are summarised when printed.</summary>
internal sealed record HostileRequest(string Method, string Target, string? ContentType = null, byte[]? Body = null)
{
    /// <summary>Requests Kestrel itself refuses before any application code runs, with a bare status and no body.</summary>
    public bool IsRefusedByKestrel =>
        Target.Length > 8000 || Path.Contains("%00", StringComparison.Ordinal);

    public string Path => Target.Split('?', 2)[0];

    public override string ToString()
    {
        var target = Target.Length > 300 ? $"{Target[..300]}… ({Target.Length} chars)" : Target;
        var body = Body is null ? "" : $" [{ContentType ?? "no content type"}, {Body.Length} bytes: {Preview(Body)}]";
        return $"{Method} {target}{body}";
    }

    public async Task<HostileResponse> SendAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(new HttpMethod(Method), new Uri(http.BaseAddress!, Target));
        if (Body is not null)
        {
            var content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            request.Content = content;

            // As curl does for big bodies: a server that refuses them answers before they are sent.
            request.Headers.ExpectContinue = Body.Length > 1024 * 1024;
        }

        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new HostileResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, bytes);
    }

    private static string Preview(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
        return body.Length > 200 ? text + "…" : text;
    }
}

/// <summary>What came back, and the checks every answer must pass.</summary>
internal sealed record HostileResponse(HttpStatusCode Status, string? MediaType, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>
    /// Never a 5xx; every 4xx the manager writes is <c>{"error": "…"}</c> that says something; a JSON answer parses.
    /// Requests Kestrel refuses at the protocol level get its bare 4xx; HEAD answers have no body by definition.
    /// </summary>
    public void AssertWellFormed(HostileRequest request)
    {
        var code = (int)Status;
        Assert.True(code < 500, $"{request} answered {code}: {Text}");
        if (request.Method == "HEAD" || Status == HttpStatusCode.NoContent)
        {
            return;
        }

        if (code >= 400 && Body.Length == 0 && request.IsRefusedByKestrel)
        {
            return;
        }

        if (code >= 400)
        {
            Assert.True(MediaType == "application/json", $"{request} answered {code} with {MediaType ?? "no content type"}, not a JSON error: {Text}");
            var error = JsonDocument.Parse(Body).RootElement;
            Assert.True(
                error.ValueKind == JsonValueKind.Object && error.TryGetProperty("error", out var message) && message.ValueKind == JsonValueKind.String && message.GetString()!.Trim().Length > 0,
                $"{request} answered {code} without an error message: {Text}");
        }
        else if (MediaType == "application/json")
        {
            using var _ = JsonDocument.Parse(Body);
        }
    }
}

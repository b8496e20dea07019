using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>
/// <c>GET /openapi/v1.json</c> describes the API a real manager serves: the same routes as docs/api.md,
/// and the field names the routes really write.
/// </summary>
public sealed partial class OpenApiTests(ManagerOnly stack) : IClassFixture<ManagerOnly>
{
    [Fact]
    public async Task The_document_lists_exactly_the_routes_of_docs_api_md_each_with_a_summary_and_answers()
    {
        var document = await DocumentAsync();

        // The document does not describe itself.
        var described = new SortedSet<string>(StringComparer.Ordinal) { "GET /openapi/v1.json" };
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                described.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), $"{operation.Name} {path.Name} has no summary");
                Assert.Contains(operation.Value.GetProperty("responses").EnumerateObject(), r => r.Name.StartsWith('2'));
            }
        }

        var documented = new SortedSet<string>(
            DocumentedRoute().Matches(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "api.md"))).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}"),
            StringComparer.Ordinal);
        Assert.Equal(documented, described);
    }

    [Fact]
    public async Task The_task_schema_names_the_fields_a_created_task_really_has()
    {
        var document = await DocumentAsync();
        var created = await TaskCalls.CreateAsync(stack.Http, """{"name": "described", "cli_args": ["-S", "nn"], "env": {"A": "1"}, "max_retries": 2}""");

        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty("PropellerTask").GetProperty("properties");
        var fields = created.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("cli_args", fields);
        Assert.All(fields, field => Assert.True(schema.TryGetProperty(field, out _), $"the PropellerTask schema lacks '{field}'"));
        var errors = document.GetProperty("paths").GetProperty("/tasks").GetProperty("post").GetProperty("responses");
        Assert.True(errors.TryGetProperty("400", out _), "POST /tasks declares its 400");
        var upload = document.GetProperty("paths").GetProperty("/tasks/{id}/upload").GetProperty("put").GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data");
        Assert.Equal("binary", upload.GetProperty("schema").GetProperty("properties").GetProperty("file").GetProperty("format").GetString());
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await stack.Http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>A row of the routes table in docs/api.md: | `GET /tasks/{id}?…` | …</summary>
    [GeneratedRegex(@"^\| `(GET|POST|PUT|DELETE) (/[^`?\s]*)", RegexOptions.Multiline)]
    private static partial Regex DocumentedRoute();
}

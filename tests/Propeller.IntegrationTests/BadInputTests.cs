using System.Globalization;
using System.Net.Http.Json;
using System.Net;
using System.Text;
using System.Text.Json;
using Propeller.Testing;

namespace Propeller.IntegrationTests;

/// <summary>Every client mistake gets a 4xx with {"error": …} that says what to fix; never a 500.</summary>
public sealed class BadInputTests(ManagerOnly stack) : IClassFixture<ManagerOnly>
{
    private HttpClient Http => stack.Http;

    [Theory]
    [InlineData("{\"name\": ", "the body is not valid JSON")]
    [InlineData("", "the body is empty")]
    [InlineData("[1,2]", "the body must be a JSON object")]
    [InlineData("null", "the body must be a JSON object")]
    [InlineData("{\"name\": 5}", "field 'name' must be a string")]
    [InlineData("{\"name\": \"x\", \"cli_args\": \"-S nn\"}", "field 'cli_args' must be an array")]
    [InlineData("{\"name\": \"x\", \"daemon\": \"yes\"}", "field 'daemon' must be true or false")]
    [InlineData("{\"name\": \"x\", \"env\": {\"A\": 1}}", "field 'env.A' must be a string")]
    [InlineData("{\"name\": \"x\", \"file\": \"not base64!\"}", "field 'file' must be base64 text")]
    [InlineData("{\"cli_args\": []}", "name is required")]
    [InlineData("{\"name\": \"x\", \"timeout\": \"soon\"}", "timeout \"soon\" is not a duration")]
    [InlineData("{\"name\": \"x\", \"timeout\": true}", "timeout true is not a duration")]
    [InlineData("{\"name\": \"x\", \"timeout\": 0}", "timeout must be more than 0")]
    [InlineData("{\"name\": \"x\", \"timeout\": 0.0001}", "timeout must be more than 0 (at least 1ms) and at most 168h; 0.0001 was sent")]
    [InlineData("{\"name\": \"x\", \"timeout\": \"0.4ms\"}", "timeout must be more than 0 (at least 1ms)")]
    [InlineData("{\"name\": \"x\", \"timeout\": -3}", "timeout -3 is not a duration")]
    [InlineData("{\"name\": \"x\", \"timeout\": \"30d\"}", "is not a duration")]
    [InlineData("{\"name\": \"   \"}", "name is required")]
    [InlineData("{\"name\": \"x\", \"inputs\": [{\"a\": 1}]}", "inputs[0] is object; inputs must be numbers or strings")]
    [InlineData("{\"name\": \"x\", \"cli_args\": [null]}", "cli_args[0] is null")]
    [InlineData("{\"name\": \"x\", \"env\": {\"A=B\": \"1\"}}", "env key 'A=B' is not a valid variable name")]
    [InlineData("{\"name\": \"x\", \"file\": \"aGVsbG8=\"}", "file: the file is not a WebAssembly module")]
    [InlineData("{\"name\": \"x\", \"inputs\": [\"\\ud800\"]}", "inputs[0] is not valid text")]
    [InlineData("{\"name\": \"x\", \"inputs\": [1, \"a\\udc00b\"]}", "inputs[1] is not valid text")]
    [InlineData("{\"name\": \"x\", \"timeout\": \"\\ud83d\"}", "timeout is not valid text")]
    public async Task A_bad_create_body_is_a_400_naming_the_problem(string body, string expected)
    {
        var (status, error) = await TaskCalls.ErrorOf(Http.PostAsync(new Uri("/tasks", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inputs", "[\"a\u00FFb\"]", "inputs[0] is not valid text")]
    [InlineData("timeout", "\"3\u00ED\u00A0\u0080s\"", "timeout is not valid text")]
    [InlineData("timeout", "{\"a\": \"\u00FF\"}", "timeout (a JSON object holding bytes that are not UTF-8) is not a duration")]
    [InlineData("timeout", "[\"\u00C3\u0028\", 1]", "timeout (a JSON array holding bytes that are not UTF-8) is not a duration")]
    public async Task Bytes_that_are_not_utf8_in_a_free_form_value_are_a_400(string field, string value, string expected)
    {
        // Latin-1 keeps each \u00NN as one byte: the body is the JSON text with bytes that are not UTF-8 inside a string.
        var body = System.Text.Encoding.Latin1.GetBytes($"{{\"name\": \"x\", \"{field}\": {value}}}");
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var (status, error) = await TaskCalls.ErrorOf(Http.PostAsync(new Uri("/tasks", UriKind.Relative), content));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_ids_are_404_and_non_uuids_400()
    {
        var unknown = Guid.NewGuid();
        foreach (var call in new Func<string, Task<HttpResponseMessage>>[]
        {
            id => Http.GetAsync(new Uri($"/tasks/{id}", UriKind.Relative)),
            id => Http.PostAsync(new Uri($"/tasks/{id}/start", UriKind.Relative), null),
            id => Http.PostAsync(new Uri($"/tasks/{id}/stop", UriKind.Relative), null),
            id => Http.GetAsync(new Uri($"/tasks/{id}/results", UriKind.Relative)),
            id => Http.DeleteAsync(new Uri($"/tasks/{id}", UriKind.Relative)),
            id => TaskCalls.UploadAsync(Http, id, Repository.Guest("greet")),
        })
        {
            var (status, error) = await TaskCalls.ErrorOf(call(unknown.ToString()));
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal($"task {unknown} not found", error);

            (status, error) = await TaskCalls.ErrorOf(call("not-a-uuid"));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.StartsWith("'not-a-uuid' is not a task id", error, StringComparison.Ordinal);
        }

        var (propletStatus, _) = await TaskCalls.ErrorOf(Http.GetAsync(new Uri("/proplets/nobody", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.NotFound, propletStatus);
    }

    [Fact]
    public async Task File_false_leaves_the_module_out_of_a_task_and_other_values_are_a_400()
    {
        var id = (await TaskCalls.CreateAsync(Http, """{"name": "with-module"}""")).GetProperty("id").GetString()!;
        using (var upload = await TaskCalls.UploadAsync(Http, id, Repository.Guest("greet")))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        var full = await Http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks/{id}", UriKind.Relative));
        var light = await Http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks/{id}?file=false", UriKind.Relative));
        var (status, error) = await TaskCalls.ErrorOf(Http.GetAsync(new Uri($"/tasks/{id}?file=no", UriKind.Relative)));

        Assert.Equal(Repository.Guest("greet"), full.GetProperty("file").GetBytesFromBase64());
        Assert.False(light.TryGetProperty("file", out _));
        Assert.Equal(full.GetProperty("name").GetString(), light.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("file='no' is not valid: use true or false", error);
    }

    [Fact]
    public async Task Uploads_must_be_a_file_part_holding_webassembly()
    {
        var id = await NewTaskAsync();

        var (status, error) = await TaskCalls.ErrorOf(TaskCalls.UploadAsync(Http, id, Encoding.UTF8.GetBytes("(module)")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not a WebAssembly module", error, StringComparison.Ordinal);

        (status, error) = await TaskCalls.ErrorOf(TaskCalls.UploadAsync(Http, id, Repository.Guest("greet"), part: "wasm"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("no part named 'file' (it has: wasm)", error, StringComparison.Ordinal);

        (status, error) = await TaskCalls.ErrorOf(Http.PutAsync(new Uri($"/tasks/{id}/upload", UriKind.Relative), new ByteArrayContent(Repository.Guest("greet"))));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("expected a multipart/form-data body", error, StringComparison.Ordinal);

        (status, error) = await TaskCalls.ErrorOf(TaskCalls.UploadAsync(Http, id, []));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("the file is empty", error, StringComparison.Ordinal);

        var broken = new StringContent("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc", Encoding.UTF8);
        broken.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        (status, _) = await TaskCalls.ErrorOf(Http.PutAsync(new Uri($"/tasks/{id}/upload", UriKind.Relative), broken));
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Theory]
    [InlineData("many parts", 1100, 0)]
    [InlineData("a long preamble", 1, 20_000)]
    public async Task A_small_upload_shaped_unlike_a_form_is_a_400_not_a_413(string what, int parts, int preambleLength)
    {
        var id = await NewTaskAsync();
        var body = new StringBuilder(new string('p', preambleLength));
        for (var i = 0; i < parts; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"--x\r\nContent-Disposition: form-data; name=\"k{i}\"\r\n\r\nv\r\n");
        }

        var content = new StringContent(body.Append("--x--\r\n").ToString(), Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");

        var (status, error) = await TaskCalls.ErrorOf(Http.PutAsync(new Uri($"/tasks/{id}/upload", UriKind.Relative), content));

        Assert.True(status == HttpStatusCode.BadRequest, $"{what}: {(int)status} {error}");
        Assert.StartsWith("the multipart body is malformed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("MANAGER_MAX_UPLOAD_MB", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1536 * 1024)] // beyond the multipart limit (MANAGER_MAX_UPLOAD_MB=1)
    [InlineData(3 * 1024 * 1024)] // beyond the whole request's limit
    public async Task An_oversized_upload_is_413(int size)
    {
        var id = await NewTaskAsync();
        var big = new byte[size];
        Repository.Guest("greet").CopyTo(big, 0);
        var (status, error) = await TaskCalls.ErrorOf(TaskCalls.UploadAsync(Http, id, big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("MANAGER_MAX_UPLOAD_MB", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_without_a_module_is_400()
    {
        var id = await NewTaskAsync();
        var (status, error) = await TaskCalls.ErrorOf(TaskCalls.StartAsync(Http, id));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("either file or image_url must be provided", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_cli_args_or_env_by_update_is_refused_but_other_fields_change()
    {
        var id = (await TaskCalls.CreateAsync(Http, """{"name": "fixed", "cli_args": ["-S", "nn"], "env": {"A": "1"}}""")).GetProperty("id").GetString()!;

        var (status, error) = await TaskCalls.ErrorOf(Put(id, """{"cli_args": ["--wasi-modules=experimental-wasi-nn"]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("cli_args are fixed when a task is created", error, StringComparison.Ordinal);

        (status, error) = await TaskCalls.ErrorOf(Put(id, """{"env": {"MODEL_DIR": "/models"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("env is fixed when a task is created", error, StringComparison.Ordinal);

        // The same values again are not a change; name and inputs are applied.
        using var ok = await Put(id, """{"name": "renamed", "cli_args": ["-S", "nn"], "env": {"A": "1"}, "inputs": [1, "two"]}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var task = await TaskCalls.GetAsync(Http, id);
        Assert.Equal("renamed", task.GetProperty("name").GetString());
        Assert.Equal("[1,\"two\"]", task.GetProperty("inputs").GetRawText());
        Assert.NotEqual("0001-01-01T00:00:00Z", task.GetProperty("updated_at").GetString());
    }

    [Theory]
    [InlineData("/tasks?limit=0", "limit='0' is not valid")]
    [InlineData("/tasks?limit=101", "limit='101' is not valid")]
    [InlineData("/tasks?offset=-1", "offset='-1' is not valid")]
    [InlineData("/tasks?offset=abc", "offset='abc' is not valid")]
    [InlineData("/tasks?state=sleeping", "state='sleeping' is not a task state")]
    [InlineData("/tasks?state=pending,completed", "state='pending,completed' is not a task state")]
    [InlineData("/tasks?state=running,%20failed", "state='running, failed' is not a task state")]
    [InlineData("/proplets?status=zombie", "status='zombie' is not valid")]
    public async Task Bad_query_parameters_are_400(string url, string expected)
    {
        var (status, error) = await TaskCalls.ErrorOf(Http.GetAsync(new Uri(url, UriKind.Relative)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_pages_in_creation_order_without_module_bytes()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await NewTaskAsync());
        }

        (await TaskCalls.UploadAsync(Http, ids[0], Repository.Guest("greet"))).Dispose();
        var all = await Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/tasks?limit=100", UriKind.Relative));
        var listed = all.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();
        Assert.Equal(ids, listed.Where(ids.Contains).ToList());
        Assert.Equal(all.GetProperty("total").GetInt64(), listed.Count);
        Assert.DoesNotContain(all.GetProperty("tasks").EnumerateArray(), t => t.TryGetProperty("file", out _));

        var page = await Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/tasks?offset=1&limit=1", UriKind.Relative));
        Assert.Equal(1, page.GetProperty("offset").GetInt32());
        Assert.Equal(1, page.GetProperty("limit").GetInt32());
        Assert.Equal(listed[1], page.GetProperty("tasks")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Delete_answers_204_and_the_task_is_gone()
    {
        var id = await NewTaskAsync();
        using var deleted = await Http.DeleteAsync(new Uri($"/tasks/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var (status, _) = await TaskCalls.ErrorOf(Http.GetAsync(new Uri($"/tasks/{id}", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Health_passes_and_unknown_routes_are_404_json()
    {
        var health = await Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/health", UriKind.Relative));
        Assert.Equal("pass", health.GetProperty("status").GetString());
        Assert.Equal("0.1.0", health.GetProperty("version").GetString());

        var (status, _) = await TaskCalls.ErrorOf(Http.GetAsync(new Uri("/nothing/here", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("GET", "/nothing.json", null, HttpStatusCode.NotFound, "no such route")]
    [InlineData("OPTIONS", "/%2500", null, HttpStatusCode.NotFound, "no such route")]
    [InlineData("PUT", "/openapi/v1.json", null, HttpStatusCode.MethodNotAllowed, "PUT is not allowed on /openapi/v1.json; use GET")]
    [InlineData("PATCH", "/tasks", null, HttpStatusCode.MethodNotAllowed, "PATCH is not allowed on /tasks; use GET or POST")]
    [InlineData("HEAD", "/health", null, HttpStatusCode.MethodNotAllowed, null)]
    [InlineData("POST", "/tasks", "text/plain", HttpStatusCode.UnsupportedMediaType, "POST /tasks takes Content-Type application/json, not Content-Type text/plain")]
    [InlineData("POST", "/tasks", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "with curl add -H \"Content-Type: application/json\"")]
    public async Task A_request_no_route_takes_says_whether_the_path_method_or_content_type_is_wrong(string method, string path, string? contentType, HttpStatusCode expected, string? message)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (contentType is not null)
        {
            request.Content = new StringContent("""{"name": "x"}""", Encoding.UTF8, contentType);
        }

        using var response = await Http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.MethodNotAllowed)
        {
            Assert.NotEmpty(response.Content.Headers.Allow);
        }

        if (message is not null)
        {
            var (_, error) = await TaskCalls.ErrorOf(Task.FromResult(response));
            Assert.Contains(message, error, StringComparison.Ordinal);
        }
    }

    private async Task<string> NewTaskAsync() =>
        (await TaskCalls.CreateAsync(Http, """{"name": "bad-input"}""")).GetProperty("id").GetString()!;

    private Task<HttpResponseMessage> Put(string id, string json) =>
        Http.PutAsync(new Uri($"/tasks/{id}", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
}

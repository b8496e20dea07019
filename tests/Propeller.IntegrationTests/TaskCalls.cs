using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Propeller.IntegrationTests;

/// <summary>
/// The REST calls of the seeds' flow, made over real HTTP exactly as curl makes them (JSON bodies,
/// multipart upload with a part named <c>file</c>), with the assertions every flow shares.
/// </summary>
public static class TaskCalls
{
    public static async Task<JsonElement> CreateAsync(HttpClient http, string json)
    {
        using var response = await http.PostAsync(new Uri("/tasks", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /tasks answered {(int)response.StatusCode}: {body}");
        var task = JsonDocument.Parse(body).RootElement;
        Assert.Equal($"/tasks/{task.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        return task;
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient http, string id, byte[] module, string fileName = "module.wasm", string part = "file")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(module);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, part, fileName);
        // As curl does for bodies over 1 MiB: the server can refuse before the body is sent.
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"/tasks/{id}/upload", UriKind.Relative)) { Content = form };
        request.Headers.ExpectContinue = module.Length > 1024 * 1024;
        return await http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> StartAsync(HttpClient http, string id) =>
        http.PostAsync(new Uri($"/tasks/{id}/start", UriKind.Relative), null);

    public static async Task<JsonElement> GetAsync(HttpClient http, string id) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks/{id}", UriKind.Relative));

    /// <summary>Creates, uploads and starts a task, then waits for it to end.</summary>
    public static async Task<JsonElement> RunAsync(HttpClient http, string createJson, byte[] module, string because)
    {
        var id = (await CreateAsync(http, createJson)).GetProperty("id").GetString()!;
        using (var upload = await UploadAsync(http, id, module))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        using (var start = await StartAsync(http, id))
        {
            Assert.Equal("""{"started":true}""", await start.Content.ReadAsStringAsync());
        }

        return await WaitForEndAsync(http, id, because);
    }

    /// <summary>Polls <c>GET /tasks/{id}</c> until the task is Completed, Failed, Skipped or Interrupted.</summary>
    public static async Task<JsonElement> WaitForEndAsync(HttpClient http, string id, string because) =>
        await WaitForStateAsync(http, id, state => state is 3 or 4 or 5 or 6, because);

    public static async Task<JsonElement> WaitForStateAsync(HttpClient http, string id, Func<int, bool> wanted, string because)
    {
        // A hang guard, not a performance bound.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var task = await GetAsync(http, id);
            if (wanted(task.GetProperty("state").GetInt32()))
            {
                return task;
            }

            Assert.True(DateTime.UtcNow < deadline, $"task {id} did not reach the expected state within 60 s ({because}); last seen: {task}");
            await Task.Delay(25);
        }
    }

    public static async Task<(HttpStatusCode Status, string Error)> ErrorOf(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"error body is not JSON: {(int)response.StatusCode} {body}");
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!);
    }
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Propeller.Benchmarks;

/// <summary>The REST calls a user's client makes to run a task: create, upload, start, follow. Any error answer throws with the manager's words.</summary>
public sealed class TaskApi(HttpClient http)
{
    /// <summary>POST /tasks; returns the new task's id.</summary>
    public async Task<string> CreateAsync(string json)
    {
        using var response = await http.PostAsync(new Uri("/tasks", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        await EnsureSuccessAsync(response, "POST /tasks");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>PUT /tasks/{id}/upload as multipart form data, part <c>file</c> (what <c>curl -F file=@x.wasm</c> sends).</summary>
    public async Task UploadAsync(string id, byte[] module)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(module), "file", "module.wasm" } };
        using var response = await http.PutAsync(new Uri($"/tasks/{id}/upload", UriKind.Relative), form);
        await EnsureSuccessAsync(response, $"PUT /tasks/{id}/upload");
    }

    public async Task StartAsync(string id)
    {
        using var response = await http.PostAsync(new Uri($"/tasks/{id}/start", UriKind.Relative), null);
        await EnsureSuccessAsync(response, $"POST /tasks/{id}/start");
    }

    /// <summary>create + upload + start; returns the id.</summary>
    public async Task<string> RunAsync(string json, byte[] module)
    {
        var id = await CreateAsync(json);
        await UploadAsync(id, module);
        await StartAsync(id);
        return id;
    }

    /// <summary>GET /tasks/{id}?file=false: the task without its module, as a client following it asks.</summary>
    public async Task<JsonElement> GetAsync(string id) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks/{id}?file=false", UriKind.Relative));

    /// <summary>How many tasks are in <paramref name="state"/> (a name such as <c>completed</c>): the total of a one-task page.</summary>
    public async Task<long> CountAsync(string state) =>
        (await http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks?state={state}&limit=1", UriKind.Relative))).GetProperty("total").GetInt64();

    /// <summary>The last <paramref name="count"/> tasks in <paramref name="state"/>, oldest first, without their modules (as listings give them).</summary>
    public async Task<IReadOnlyList<JsonElement>> LastAsync(string state, int count)
    {
        var total = await CountAsync(state);
        var tasks = new List<JsonElement>();
        for (var offset = Math.Max(0, total - count); offset < total; offset += 100)
        {
            var page = await http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks?state={state}&offset={offset}&limit=100", UriKind.Relative));
            tasks.AddRange(page.GetProperty("tasks").EnumerateArray());
        }

        return tasks;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
        }
    }
}

using System.Net.Http.Json;
using System.Text.Json;

namespace Propeller.IntegrationTests;

public static class HttpClientExtensions
{
    /// <summary><c>GET /tasks/{id}/{what}</c> as JSON.</summary>
    public static async Task<JsonElement> GetTaskPartAsync(this HttpClient http, string id, string what) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri($"/tasks/{id}/{what}", UriKind.Relative));
}

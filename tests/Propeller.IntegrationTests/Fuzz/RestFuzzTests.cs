using System.Net;
using System.Text;
using System.Text.Json;
using FsCheck.Fluent;
using Propeller.Testing;
using Propeller.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Propeller.IntegrationTests.Fuzz;

/// <summary>
/// Generated hostile requests against a real manager: task bodies of every shape, every route with every method,
/// hostile ids and query strings, broken and oversized multipart uploads. Every answer is a 2xx or a 4xx with
/// <c>{"error": …}</c>, never a 5xx; afterwards the task made before the storm is intact and a normal task runs.
/// </summary>
public sealed class RestFuzzTests(FuzzStack stack, ITestOutputHelper output) : IClassFixture<FuzzStack>
{
    private HttpClient Http => stack.Http;

    [Fact]
    public async Task Task_bodies_of_any_shape_get_a_2xx_or_a_json_4xx_and_what_is_accepted_is_stored_as_answered()
    {
        var victims = await VictimsAsync("bodies");

        await FuzzRunner.CheckAsync("REST: task bodies (POST /tasks, PUT /tasks/{id})", RestGenerators.Bodies(victims), 500, async request =>
        {
            var response = await request.SendAsync(Http);
            stack.AssertWellFormed(request, response);
            if (response.Status is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                // What the manager said it stored is what it gives back.
                var id = JsonDocument.Parse(response.Body).RootElement.GetProperty("id").GetString()!;
                var stored = await Http.GetStringAsync(new Uri($"/tasks/{id}", UriKind.Relative));
                Assert.True(response.Text == stored, $"{request}: answered\n{response.Text}\nbut GET /tasks/{id} shows\n{stored}");
            }
        }, output.WriteLine);

        await stack.AssertIntactAsync("the task body storm");
    }

    [Fact]
    public async Task Every_route_and_method_with_hostile_ids_and_queries_gets_a_2xx_or_a_json_4xx()
    {
        var victims = await VictimsAsync("routes");

        await FuzzRunner.CheckAsync("REST: routes, methods, ids, query strings", RestGenerators.AnyRoute(victims), 800, async request =>
        {
            stack.AssertWellFormed(request, await request.SendAsync(Http));
        }, output.WriteLine);

        await stack.AssertIntactAsync("the route storm");
    }

    [Fact]
    public async Task Multipart_garbage_and_oversized_uploads_get_a_json_4xx()
    {
        var victims = await VictimsAsync("uploads");

        await FuzzRunner.CheckAsync("REST: multipart uploads (PUT /tasks/{id}/upload)", RestGenerators.Uploads(victims, modulesAllowed: true), 200, async request =>
        {
            var response = await request.SendAsync(Http);
            stack.AssertWellFormed(request, response);
            if (request.Body!.Length > 2 * 1024 * 1024)
            {
                // A form refused for its shape before a byte of it was read (a boundary too long) is a 400.
                Assert.True(response.Status is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"{request} is above MANAGER_MAX_UPLOAD_MB=1 (x2 for the whole request) but answered {(int)response.Status}: {response.Text}");
            }

            if (response.Status == HttpStatusCode.RequestEntityTooLarge)
            {
                Assert.True(request.Body.Length > 1024 * 1024, $"{request} is within MANAGER_MAX_UPLOAD_MB=1 but answered 413: {response.Text}");
            }
        }, output.WriteLine);

        await stack.AssertIntactAsync("the upload storm");
    }

    [Fact]
    public async Task Requests_the_manager_must_refuse_leave_the_task_they_name_unchanged()
    {
        var sentinel = new[] { stack.SentinelId };
        var refused = Gen.OneOf(
            from body in JsonGenerators.TaskBody
            from wrong in Gen.Elements("\"daemon\":\"yes\"", "\"max_retries\":\"3\"", "\"name\":5", "\"env\":[]", "\"env\":{\"GREETING\":\"changed\"}", "\"timeout\":\"soon\"", "\"inputs\":{}")
            // Last, because a field given twice takes its last value.
            select new HostileRequest("PUT", $"/tasks/{stack.SentinelId}", "application/json", JsonGenerators.ToBytes(body[..^1] + (body.Length > 2 ? "," : "") + wrong + "}")),
            JsonGenerators.Mutated(JsonGenerators.TaskBody).Select(body => new HostileRequest("PUT", $"/tasks/{stack.SentinelId}", "application/json", [.. "{\"env\":{\"GREETING\":\"changed\"},"u8, .. body])),
            RestGenerators.Uploads(sentinel, modulesAllowed: false),
            Gen.Elements(RestGenerators.QueryValues).Where(v => v is not ("" or "true" or "TRUE" or "false")).Select(v => new HostileRequest("GET", $"/tasks/{stack.SentinelId}?file={v}")),
            Gen.Constant(new HostileRequest("POST", $"/tasks/{stack.SentinelId}/stop")));

        await FuzzRunner.CheckAsync("REST: refused requests to an existing task", refused, 200, async request =>
        {
            var response = await request.SendAsync(Http);
            stack.AssertWellFormed(request, response);
            Assert.True((int)response.Status is >= 400 and < 500, $"{request} must be refused but answered {(int)response.Status}: {response.Text}");
            Assert.Equal(stack.SentinelJson, await Http.GetStringAsync(new Uri($"/tasks/{stack.SentinelId}", UriKind.Relative)));
        }, output.WriteLine);

        await stack.AssertIntactAsync("the refused requests");
    }

    /// <summary>Tasks the storm may change, start or delete; half of them have a module.</summary>
    private async Task<List<string>> VictimsAsync(string storm)
    {
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var id = (await TaskCalls.CreateAsync(Http, $$$"""{"name": "victim {{{i}}} of {{{storm}}}", "cli_args": ["-S", "nn"], "env": {"A": "1"}}""")).GetProperty("id").GetString()!;
            if (i % 2 == 0)
            {
                (await TaskCalls.UploadAsync(Http, id, Repository.Guest("greet"))).Dispose();
            }

            ids.Add(id);
        }

        return ids;
    }
}

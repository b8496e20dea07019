using System.Text.Json;
using Propeller.Core.Json;
using Propeller.Core.Messaging;
using Propeller.Core.Tasks;

namespace Propeller.Core.Tests;

public class TaskJsonTests
{
    [Fact]
    public void A_new_task_looks_like_upstreams_sample_response()
    {
        var task = new PropellerTask
        {
            Id = Guid.Parse("3fc0a69a-6c1c-4944-bd71-1117e9ddcf31"),
            Name = "wasi-nn-demo",
            CliArgs = ["-S", "nn", "--dir=/home/proplet/fixture::fixture"],
            CreatedAt = new DateTime(2026, 1, 30, 14, 30, 35, 983, DateTimeKind.Utc),
        };

        var json = JsonSerializer.Serialize(task, PropellerJsonContext.Default.PropellerTask);

        // Upstream's fields byte for byte and in its order; then this project's one addition a new task always has.
        Assert.Equal(
            """{"id":"3fc0a69a-6c1c-4944-bd71-1117e9ddcf31","name":"wasi-nn-demo","state":0,"cli_args":["-S","nn","--dir=/home/proplet/fixture::fixture"],"daemon":false,"encrypted":false,"start_time":"0001-01-01T00:00:00Z","finish_time":"0001-01-01T00:00:00Z","created_at":"2026-01-30T14:30:35.983Z","updated_at":"0001-01-01T00:00:00Z","transitions":[]}""",
            json);
    }

    [Fact]
    public void The_module_travels_as_base64_and_times_read_back_as_utc()
    {
        var task = new PropellerTask { File = [0, 0x61, 0x73, 0x6d], FinishTime = new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc) };
        var json = JsonSerializer.Serialize(task, PropellerJsonContext.Default.PropellerTask);
        Assert.Contains("\"file\":\"AGFzbQ==\"", json, StringComparison.Ordinal);

        var back = JsonSerializer.Deserialize(json, PropellerJsonContext.Default.PropellerTask)!;
        Assert.Equal(task.File, back.File);
        Assert.Equal(DateTimeKind.Utc, back.FinishTime.Kind);
        Assert.Equal(task.FinishTime, back.FinishTime);
    }

    [Fact]
    public void Times_with_an_offset_are_converted_to_utc()
    {
        var task = JsonSerializer.Deserialize("""{"created_at":"2026-01-30T16:30:35+02:00"}""", PropellerJsonContext.Default.PropellerTask)!;
        Assert.Equal(new DateTime(2026, 1, 30, 14, 30, 35, DateTimeKind.Utc), task.CreatedAt);
    }

    [Fact]
    public void Message_payloads_use_upstreams_field_names()
    {
        var result = new ResultMessage { TaskId = Guid.Empty, PropletId = "p1", Results = JsonSerializer.SerializeToElement("hi", PropellerJsonContext.Default.String), Error = "boom" };
        Assert.Equal(
            """{"task_id":"00000000-0000-0000-0000-000000000000","proplet_id":"p1","results":"hi","error":"boom"}""",
            JsonSerializer.Serialize(result, PropellerJsonContext.Default.ResultMessage));

        var alive = JsonSerializer.Deserialize("""{"proplet_id":"p1","status":"alive"}""", PropellerJsonContext.Default.AliveMessage)!;
        Assert.Equal("p1", alive.PropletId);
    }

    [Fact]
    public void A_request_with_a_wrong_type_names_the_field()
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"name": 5}""", PropellerJsonContext.Default.TaskRequest));
        Assert.Equal("$.name", error.Path);
    }
}

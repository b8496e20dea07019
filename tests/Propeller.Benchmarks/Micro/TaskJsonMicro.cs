using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Propeller.Core.Json;
using Propeller.Core.Messaging;
using Propeller.Core.Tasks;
using Propeller.Manager.Tasks;

namespace Propeller.Benchmarks.Micro;

/// <summary>The JSON each task costs the manager: the task as GET /tasks/{id} writes it, the start message it publishes, the result it reads.</summary>
public class TaskJsonMicro
{
    private PropellerTask _task = null!;
    private StartMessage _start = null!;
    private byte[] _result = [];

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTime.UtcNow;
        _task = new PropellerTask
        {
            Id = Guid.NewGuid(),
            Name = "hello",
            State = TaskState.Completed,
            Inputs = [JsonSerializer.SerializeToElement(7, PropellerJsonContext.Default.Int32)],
            PropletId = "proplet-1",
            Results = JsonSerializer.SerializeToElement("hello\n", PropellerJsonContext.Default.String),
            StartTime = now,
            FinishTime = now,
            CreatedAt = now,
            UpdatedAt = now,
            Attempt = 1,
        };
        foreach (var state in new[] { TaskState.Pending, TaskState.Scheduled, TaskState.Running, TaskState.Completed })
        {
            _task.Enter(state, now, state == TaskState.Pending ? null : "proplet-1");
        }

        var module = new byte[134];
        Random.Shared.NextBytes(module);
        _start = new StartMessage { Id = _task.Id, Name = "hello", File = module, Inputs = _task.Inputs, PropletId = "proplet-1", Attempt = 1 };
        _result = JsonSerializer.SerializeToUtf8Bytes(
            new ResultMessage { TaskId = _task.Id, PropletId = "proplet-1", Results = _task.Results, Attempt = 1, ExitCode = 0 },
            PropellerJsonContext.Default.ResultMessage);
    }

    [Benchmark(Description = "JSON: write a finished task as GET /tasks/{id}?file=false answers it (4 transitions)")]
    public byte[] SerializeTask() => JsonSerializer.SerializeToUtf8Bytes(_task, PropellerJsonContext.Default.PropellerTask);

    [Benchmark(Description = "JSON: write a start message (134-byte module, base64)")]
    public byte[] SerializeStart() => JsonSerializer.SerializeToUtf8Bytes(_start, PropellerJsonContext.Default.StartMessage);

    [Benchmark(Description = "JSON: read a result message")]
    public ResultMessage? DeserializeResult() => JsonSerializer.Deserialize(_result, PropellerJsonContext.Default.ResultMessage);
}

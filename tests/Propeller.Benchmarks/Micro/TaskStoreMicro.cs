using BenchmarkDotNet.Attributes;
using Propeller.Core.Tasks;
using Propeller.Manager.Tasks;
using Propeller.Manager.Storage;
using Propeller.Testing;

namespace Propeller.Benchmarks.Micro;

/// <summary>The SQLite store's three calls on a task's path (a file in a temporary directory, WAL, synchronous=NORMAL, as the manager runs it).</summary>
public class TaskStoreMicro : IDisposable
{
    private TempDirectory? _directory;
    private SqliteTaskStore _store = null!;
    private PropellerTask _task = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = new TempDirectory("bench-store");
        _store = new SqliteTaskStore(_directory.Combine("tasks.db"));
        await _store.InitializeAsync(CancellationToken.None);
        _task = NewTask();
        await _store.AddAsync(_task, CancellationToken.None);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _directory?.Dispose();
        _directory = null;
        GC.SuppressFinalize(this);
    }

    [Benchmark(Description = "SQLite store: insert a task (134-byte module)")]
    public Task Insert() => _store.AddAsync(NewTask(), CancellationToken.None);

    [Benchmark(Description = "SQLite store: update a task (every column, as each state change does)")]
    public Task Update()
    {
        _task.UpdatedAt = DateTime.UtcNow;
        return _store.UpdateAsync(_task, CancellationToken.None);
    }

    [Benchmark(Description = "SQLite store: read a task by id")]
    public Task<PropellerTask?> Get() => _store.GetAsync(_task.Id, CancellationToken.None);

    private static PropellerTask NewTask()
    {
        var now = DateTime.UtcNow;
        var task = new PropellerTask { Id = Guid.NewGuid(), Name = "hello", State = TaskState.Pending, File = new byte[134], CreatedAt = now, UpdatedAt = now };
        task.Enter(TaskState.Pending, now);
        return task;
    }
}

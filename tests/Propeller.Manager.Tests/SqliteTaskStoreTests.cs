using System.Text.Json;
using Propeller.Core.Tasks;
using Propeller.Manager.Storage;
using Propeller.Testing;

namespace Propeller.Manager.Tests;

/// <summary>The task store against a real SQLite file.</summary>
public sealed class SqliteTaskStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string DatabasePath => Path.Combine(_directory.Path, "nested", "tasks.db");

    private async Task<SqliteTaskStore> OpenAsync()
    {
        var store = new SqliteTaskStore(DatabasePath);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task Every_field_round_trips_through_a_reopened_file()
    {
        var task = new PropellerTask
        {
            Id = Guid.NewGuid(),
            Name = "wasi-nn-demo",
            State = TaskState.Failed,
            ImageUrl = "https://example.test/m.wasm",
            File = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
            CliArgs = ["-S", "nn", "--dir=/home/proplet/fixture::fixture"],
            Inputs = [JsonSerializer.SerializeToElement(1), JsonSerializer.SerializeToElement("two")],
            Env = new() { ["MODEL_DIR"] = "/models" },
            Daemon = true,
            Encrypted = true,
            PropletId = "proplet-1",
            Pinned = true,
            Results = JsonSerializer.SerializeToElement("out\n"),
            Error = "Process exited with status 3: boom",
            PendingReason = null,
            StartTime = new DateTime(2026, 1, 1, 0, 0, 1, DateTimeKind.Utc),
            FinishTime = new DateTime(2026, 1, 1, 0, 0, 2, DateTimeKind.Utc),
            CreatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            UpdatedAt = new DateTime(2026, 1, 1, 0, 0, 3, DateTimeKind.Utc),
        };
        await (await OpenAsync()).AddAsync(task, CancellationToken.None);

        var read = await (await OpenAsync()).GetAsync(task.Id, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(
            JsonSerializer.Serialize(task, Core.Json.PropellerJsonContext.Default.PropellerTask),
            JsonSerializer.Serialize(read, Core.Json.PropellerJsonContext.Default.PropellerTask));
        Assert.True(read.Pinned);
        Assert.Equal(DateTimeKind.Utc, read.CreatedAt.Kind);
    }

    [Fact]
    public async Task Listing_pages_in_creation_order_filters_by_state_and_leaves_modules_out()
    {
        var store = await OpenAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var task = new PropellerTask { Id = Guid.NewGuid(), Name = $"t{i}", State = i % 2 == 0 ? TaskState.Pending : TaskState.Completed, File = [1, 2, 3] };
            ids.Add(task.Id);
            await store.AddAsync(task, CancellationToken.None);
        }

        var page = await store.ListAsync(1, 2, null, CancellationToken.None);
        Assert.Equal(5, page.Total);
        Assert.Equal(ids[1..3], page.Tasks.Select(t => t.Id));
        Assert.All(page.Tasks, t => Assert.Null(t.File));

        var pending = await store.ListAsync(0, 100, TaskState.Pending, CancellationToken.None);
        Assert.Equal(3, pending.Total);
        Assert.Equal([ids[0], ids[2], ids[4]], pending.Tasks.Select(t => t.Id));
    }

    [Fact]
    public async Task Waiting_tasks_are_the_pending_ones_with_a_reason()
    {
        var store = await OpenAsync();
        var waiting = new PropellerTask { Id = Guid.NewGuid(), Name = "w", PendingReason = "no proplet" };
        var idle = new PropellerTask { Id = Guid.NewGuid(), Name = "i" };
        await store.AddAsync(idle, CancellationToken.None);
        await store.AddAsync(waiting, CancellationToken.None);

        Assert.Equal([waiting.Id], await store.ListWaitingAsync(CancellationToken.None));

        waiting.State = TaskState.Running;
        waiting.PendingReason = null;
        await store.UpdateAsync(waiting, CancellationToken.None);
        Assert.Empty(await store.ListWaitingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Delete_removes_once()
    {
        var store = await OpenAsync();
        var task = new PropellerTask { Id = Guid.NewGuid(), Name = "d" };
        await store.AddAsync(task, CancellationToken.None);
        Assert.True(await store.DeleteAsync(task.Id, CancellationToken.None));
        Assert.False(await store.DeleteAsync(task.Id, CancellationToken.None));
        Assert.Null(await store.GetAsync(task.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_writers_do_not_collide()
    {
        var store = await OpenAsync();
        var tasks = Enumerable.Range(0, 200).Select(i => new PropellerTask { Id = Guid.NewGuid(), Name = $"c{i}" }).ToList();
        await Parallel.ForEachAsync(tasks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (task, ct) =>
        {
            await store.AddAsync(task, ct);
            task.State = TaskState.Completed;
            await store.UpdateAsync(task, ct);
        });

        var completed = await store.ListAsync(0, 100, TaskState.Completed, CancellationToken.None);
        Assert.Equal(200, completed.Total);
    }
}

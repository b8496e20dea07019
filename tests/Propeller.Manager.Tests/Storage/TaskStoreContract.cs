using System.Data.Common;
using System.Text.Json;
using Propeller.Core.Json;
using Propeller.Core.Tasks;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tests.Storage;

/// <summary>
/// What every <see cref="ITaskStore"/> must do, run against each real store by a subclass. xunit makes a
/// new instance per test, so each test has storage of its own.
/// </summary>
public abstract class TaskStoreContract : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly List<ITaskStore> _opened = [];

    /// <summary>A new store object on this test's storage: every call in one test reaches the same data, as a restarted manager would.</summary>
    protected abstract ITaskStore CreateStore();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    /// <summary>Opens (and initializes) the store, as the manager does at start-up.</summary>
    protected async Task<ITaskStore> OpenAsync()
    {
        var store = CreateStore();
        _opened.Add(store);
        await store.InitializeAsync(None);
        return store;
    }

    [Fact]
    public async Task Every_field_round_trips_through_a_reopened_store()
    {
        var task = FullTask();
        await (await OpenAsync()).AddAsync(task, None);

        var read = await (await OpenAsync()).GetAsync(task.Id, None);

        Assert.NotNull(read);
        AssertSame(task, read);
        // Spelled out too, so a failure names the field rather than only showing two long JSON texts.
        Assert.Equal("tâche ✓ 🚀", read.Name);
        Assert.Equal(TaskState.Failed, read.State);
        Assert.Equal(task.File, read.File);
        Assert.Equal(["-S", "nn", "--dir=/home/proplet/fixture::fixture"], read.CliArgs);
        Assert.Equal(["1", "2.5", "-3", "12345678901234567890", "\"two\"", "\"\""], read.Inputs!.Select(i => i.GetRawText()));
        Assert.Equal(new Dictionary<string, string> { ["MODEL_DIR"] = "/models", ["EMPTY"] = "" }, read.Env);
        Assert.True(read.Daemon);
        Assert.True(read.Encrypted);
        Assert.True(read.Pinned);
        Assert.Equal("proplet-1", read.PropletId);
        Assert.Equal("""{"stdout":"out\n","sum":3}""", read.Results!.Value.GetRawText());
        Assert.Equal("Process exited with status 3: boom", read.Error);
        Assert.Equal("1m30s", read.Timeout);
        Assert.Equal(3, read.MaxRetries);
        Assert.Equal(2, read.Attempt);
        Assert.Equal(1, read.Retries);
        Assert.Equal(task.StartTime, read.StartTime);
        Assert.Equal(task.FinishTime, read.FinishTime);
        Assert.Equal(task.CreatedAt, read.CreatedAt);
        Assert.Equal(task.UpdatedAt, read.UpdatedAt);
        Assert.All([read.StartTime, read.FinishTime, read.CreatedAt, read.UpdatedAt], t => Assert.Equal(DateTimeKind.Utc, t.Kind));
        Assert.Equal(
            ["Scheduled proplet-1 ", "Running proplet-1 ", "Failed proplet-1 proplet proplet-1 lost"],
            read.Transitions.Select(t => $"{t.State} {t.PropletId} {t.Reason}"));
        Assert.Equal(task.Transitions.Select(t => t.At), read.Transitions.Select(t => t.At));
    }

    [Fact]
    public async Task Unset_fields_read_back_unset_and_the_zero_time_stays_the_zero_time()
    {
        var store = await OpenAsync();
        var task = new PropellerTask { Id = Guid.NewGuid(), Name = "bare" };
        await store.AddAsync(task, None);

        var read = await store.GetAsync(task.Id, None);

        Assert.NotNull(read);
        AssertSame(task, read);
        Assert.Equal(TaskState.Pending, read.State);
        Assert.Null(read.ImageUrl);
        Assert.Null(read.File);
        Assert.Null(read.CliArgs);
        Assert.Null(read.Inputs);
        Assert.Null(read.Env);
        Assert.Null(read.Results);
        Assert.Null(read.Error);
        Assert.Null(read.PendingReason);
        Assert.Null(read.PropletId);
        Assert.Null(read.Timeout);
        Assert.False(read.Daemon || read.Encrypted || read.Pinned);
        Assert.Equal(0, read.MaxRetries);
        Assert.Equal(0, read.Attempt);
        Assert.Empty(read.Transitions);
        Assert.Equal(DateTime.MinValue, read.StartTime);
        Assert.Equal(DateTime.MinValue, read.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, read.FinishTime.Kind);
    }

    [Fact]
    public async Task Empty_lists_stay_empty_rather_than_absent()
    {
        var store = await OpenAsync();
        var task = new PropellerTask { Id = Guid.NewGuid(), Name = "empty", File = [], CliArgs = [], Inputs = [], Env = [], Results = JsonSerializer.SerializeToElement("") };
        await store.AddAsync(task, None);

        var read = await store.GetAsync(task.Id, None);

        Assert.NotNull(read);
        Assert.Empty(read.File!);
        Assert.Empty(read.CliArgs!);
        Assert.Empty(read.Inputs!);
        Assert.Empty(read.Env!);
        Assert.Equal("\"\"", read.Results!.Value.GetRawText());
    }

    [Fact]
    public async Task Getting_an_unknown_id_gives_null()
    {
        var store = await OpenAsync();
        await store.AddAsync(new PropellerTask { Id = Guid.NewGuid(), Name = "other" }, None);

        Assert.Null(await store.GetAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task Adding_an_id_twice_fails_and_keeps_the_first()
    {
        var store = await OpenAsync();
        var id = Guid.NewGuid();
        await store.AddAsync(new PropellerTask { Id = id, Name = "first" }, None);

        await Assert.ThrowsAnyAsync<DbException>(() => store.AddAsync(new PropellerTask { Id = id, Name = "second" }, None));

        Assert.Equal("first", (await store.GetAsync(id, None))?.Name);
        Assert.Equal(1, (await store.ListAsync(0, 10, null, None)).Total);
    }

    [Fact]
    public async Task Listing_pages_in_creation_order_filters_by_state_and_leaves_modules_out()
    {
        var store = await OpenAsync();
        // Ids that sort the other way round: the order must be the order of creation, not of ids.
        var ids = DescendingIds(5);
        for (var i = 0; i < ids.Count; i++)
        {
            var state = i % 2 == 0 ? TaskState.Pending : TaskState.Completed;
            await store.AddAsync(new PropellerTask { Id = ids[i], Name = $"t{i}", State = state, File = [1, 2, 3], Env = new() { ["I"] = $"{i}" } }, None);
        }

        var page = await store.ListAsync(1, 2, null, None);
        Assert.Equal((1, 2, 5L), (page.Offset, page.Limit, page.Total));
        Assert.Equal(ids[1..3], page.Tasks.Select(t => t.Id));
        Assert.Equal(["t1", "t2"], page.Tasks.Select(t => t.Name));
        Assert.Equal(["1", "2"], page.Tasks.Select(t => t.Env!["I"]));
        Assert.All(page.Tasks, t => Assert.Null(t.File));

        var all = await store.ListAsync(0, 100, null, None);
        Assert.Equal(ids, all.Tasks.Select(t => t.Id));

        var pending = await store.ListAsync(0, 100, TaskState.Pending, None);
        Assert.Equal(3, pending.Total);
        Assert.Equal([ids[0], ids[2], ids[4]], pending.Tasks.Select(t => t.Id));

        var secondCompleted = await store.ListAsync(1, 1, TaskState.Completed, None);
        Assert.Equal(2, secondCompleted.Total);
        Assert.Equal([ids[3]], secondCompleted.Tasks.Select(t => t.Id));

        var pastTheEnd = await store.ListAsync(10, 5, null, None);
        Assert.Equal(5, pastTheEnd.Total);
        Assert.Empty(pastTheEnd.Tasks);

        var noneRunning = await store.ListAsync(0, 100, TaskState.Running, None);
        Assert.Equal(0, noneRunning.Total);
        Assert.Empty(noneRunning.Tasks);

        // The module is only left out of listings; the task itself still has it.
        Assert.Equal([1, 2, 3], (await store.GetAsync(ids[0], None))!.File!);
    }

    [Fact]
    public async Task Waiting_tasks_are_the_pending_ones_with_a_reason_oldest_first()
    {
        var store = await OpenAsync();
        var ids = DescendingIds(5);
        await store.AddAsync(new PropellerTask { Id = ids[0], Name = "waits", PendingReason = "no proplet alive" }, None);
        await store.AddAsync(new PropellerTask { Id = ids[1], Name = "idle" }, None);
        await store.AddAsync(new PropellerTask { Id = ids[2], Name = "scheduled", State = TaskState.Scheduled, PendingReason = "stale reason" }, None);
        await store.AddAsync(new PropellerTask { Id = ids[3], Name = "waits too", PendingReason = "proplet-9 is not alive" }, None);
        await store.AddAsync(new PropellerTask { Id = ids[4], Name = "failed", State = TaskState.Failed, PendingReason = "x" }, None);

        Assert.Equal([ids[0], ids[3]], await store.ListWaitingAsync(None));

        var started = (await store.GetAsync(ids[0], None))!;
        started.State = TaskState.Running;
        started.PendingReason = null;
        await store.UpdateAsync(started, None);
        Assert.Equal([ids[3]], await store.ListWaitingAsync(None));

        Assert.True(await store.DeleteAsync(ids[3], None));
        Assert.Empty(await store.ListWaitingAsync(None));
    }

    [Fact]
    public async Task Active_tasks_are_the_scheduled_and_running_ones_oldest_first_without_modules()
    {
        var store = await OpenAsync();
        var states = new[] { TaskState.Pending, TaskState.Running, TaskState.Completed, TaskState.Scheduled, TaskState.Failed, TaskState.Skipped, TaskState.Interrupted, TaskState.Running };
        var ids = DescendingIds(states.Length);
        for (var i = 0; i < states.Length; i++)
        {
            await store.AddAsync(new PropellerTask { Id = ids[i], Name = $"t{i}", State = states[i], File = [9], PropletId = $"proplet-{i}", Attempt = i, Transitions = [new() { State = states[i], At = new DateTime(2026, 2, 1, 0, 0, i, DateTimeKind.Utc) }] }, None);
        }

        var active = await store.ListActiveAsync(None);

        Assert.Equal([ids[1], ids[3], ids[7]], active.Select(t => t.Id));
        Assert.Equal([TaskState.Running, TaskState.Scheduled, TaskState.Running], active.Select(t => t.State));
        // The recovery after a restart needs these to find the proplet and count attempts.
        Assert.Equal(["proplet-1", "proplet-3", "proplet-7"], active.Select(t => t.PropletId));
        Assert.Equal([1, 3, 7], active.Select(t => t.Attempt));
        Assert.Equal([new DateTime(2026, 2, 1, 0, 0, 3, DateTimeKind.Utc)], active[1].Transitions.Select(t => t.At));
        Assert.All(active, t => Assert.Null(t.File));
    }

    [Fact]
    public async Task Active_tasks_of_one_proplet_are_the_scheduled_and_running_ones_placed_on_it()
    {
        var store = await OpenAsync();
        var placed = new (TaskState State, string? Proplet)[]
        {
            (TaskState.Running, "proplet-a"), (TaskState.Scheduled, "proplet-b"), (TaskState.Completed, "proplet-a"),
            (TaskState.Scheduled, "proplet-a"), (TaskState.Pending, null), (TaskState.Failed, "proplet-b"), (TaskState.Running, "proplet-b"),
        };
        var ids = DescendingIds(placed.Length);
        for (var i = 0; i < placed.Length; i++)
        {
            await store.AddAsync(new PropellerTask { Id = ids[i], Name = $"t{i}", State = placed[i].State, File = [9], PropletId = placed[i].Proplet, Attempt = i }, None);
        }

        var onA = await store.ListActiveOnAsync("proplet-a", None);

        Assert.Equal([ids[0], ids[3]], onA.Select(t => t.Id));
        Assert.Equal([0, 3], onA.Select(t => t.Attempt));
        Assert.All(onA, t => Assert.Null(t.File));
        Assert.Equal([ids[1], ids[6]], (await store.ListActiveOnAsync("proplet-b", None)).Select(t => t.Id));
        Assert.Empty(await store.ListActiveOnAsync("proplet-c", None));
    }

    [Fact]
    public async Task Counts_by_state_count_each_task_once_in_its_current_state()
    {
        var store = await OpenAsync();
        Assert.Empty(await store.CountByStateAsync(None));

        var states = new[] { TaskState.Pending, TaskState.Running, TaskState.Completed, TaskState.Completed, TaskState.Failed, TaskState.Completed };
        var ids = DescendingIds(states.Length);
        for (var i = 0; i < states.Length; i++)
        {
            await store.AddAsync(new PropellerTask { Id = ids[i], Name = $"t{i}", State = states[i] }, None);
        }

        var running = (await store.GetAsync(ids[1], None))!;
        running.State = TaskState.Completed;
        await store.UpdateAsync(running, None);

        Assert.Equal(
            new Dictionary<TaskState, long> { [TaskState.Pending] = 1, [TaskState.Completed] = 4, [TaskState.Failed] = 1 },
            await store.CountByStateAsync(None));
    }

    [Fact]
    public async Task Update_writes_every_field_and_only_that_task()
    {
        var store = await OpenAsync();
        var task = FullTask();
        var neighbour = FullTask();
        await store.AddAsync(task, None);
        await store.AddAsync(neighbour, None);

        var changed = new PropellerTask
        {
            Id = task.Id,
            Name = "renamed",
            State = TaskState.Running,
            ImageUrl = "oci://registry.test/other:1",
            File = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff],
            CliArgs = ["--fuel", "100"],
            Inputs = [JsonSerializer.SerializeToElement(7)],
            Env = new() { ["OTHER"] = "value" },
            Daemon = false,
            Encrypted = false,
            PropletId = "proplet-2",
            Pinned = false,
            Results = JsonSerializer.SerializeToElement(new[] { 1, 2 }),
            Error = "another error",
            PendingReason = "waiting for proplet-2",
            StartTime = new DateTime(2027, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1),
            FinishTime = new DateTime(2027, 3, 4, 5, 6, 8, DateTimeKind.Utc),
            CreatedAt = new DateTime(2027, 3, 4, 5, 6, 0, DateTimeKind.Utc),
            UpdatedAt = new DateTime(2027, 3, 4, 5, 6, 9, DateTimeKind.Utc),
            Timeout = "5s",
            MaxRetries = 1,
            Attempt = 1,
            Retries = 0,
            Transitions = [new() { State = TaskState.Running, At = new DateTime(2027, 3, 4, 5, 6, 7, DateTimeKind.Utc), PropletId = "proplet-2" }],
        };
        await store.UpdateAsync(changed, None);

        var read = await (await OpenAsync()).GetAsync(task.Id, None);
        Assert.NotNull(read);
        AssertSame(changed, read);
        Assert.Equal("renamed", read.Name);
        Assert.Equal(TaskState.Running, read.State);
        Assert.Equal(changed.File, read.File);
        Assert.False(read.Pinned);
        Assert.Equal("5s", read.Timeout);
        Assert.Equal((1, 1, 0), (read.MaxRetries, read.Attempt, read.Retries));
        Assert.Equal("proplet-2", Assert.Single(read.Transitions).PropletId);
        Assert.Equal(changed.StartTime, read.StartTime);

        var untouched = await store.GetAsync(neighbour.Id, None);
        Assert.NotNull(untouched);
        AssertSame(neighbour, untouched);

        // An update can also clear what was set.
        var cleared = new PropellerTask { Id = task.Id, Name = "cleared" };
        await store.UpdateAsync(cleared, None);
        var readCleared = await store.GetAsync(task.Id, None);
        Assert.NotNull(readCleared);
        AssertSame(cleared, readCleared);
        Assert.Null(readCleared.File);
        Assert.Null(readCleared.Results);
        Assert.Empty(readCleared.Transitions);
        Assert.Equal(DateTime.MinValue, readCleared.FinishTime);
    }

    [Fact]
    public async Task Updating_an_unknown_task_adds_nothing()
    {
        var store = await OpenAsync();
        var ghost = new PropellerTask { Id = Guid.NewGuid(), Name = "ghost", State = TaskState.Running };

        await store.UpdateAsync(ghost, None);

        Assert.Null(await store.GetAsync(ghost.Id, None));
        Assert.Equal(0, (await store.ListAsync(0, 10, null, None)).Total);
        Assert.Empty(await store.ListActiveAsync(None));
    }

    [Fact]
    public async Task Delete_removes_once_and_leaves_the_others()
    {
        var store = await OpenAsync();
        var task = new PropellerTask { Id = Guid.NewGuid(), Name = "d" };
        var other = new PropellerTask { Id = Guid.NewGuid(), Name = "stays" };
        await store.AddAsync(task, None);
        await store.AddAsync(other, None);

        Assert.True(await store.DeleteAsync(task.Id, None));
        Assert.False(await store.DeleteAsync(task.Id, None));
        Assert.False(await store.DeleteAsync(Guid.NewGuid(), None));

        Assert.Null(await store.GetAsync(task.Id, None));
        Assert.Equal("stays", (await store.GetAsync(other.Id, None))?.Name);
        var page = await store.ListAsync(0, 10, null, None);
        Assert.Equal(1, page.Total);
        Assert.Equal([other.Id], page.Tasks.Select(t => t.Id));
    }

    [Fact]
    public async Task Fifty_concurrent_adds_are_all_kept()
    {
        var store = await OpenAsync();
        var tasks = Enumerable.Range(0, 50).Select(i => new PropellerTask { Id = Guid.NewGuid(), Name = $"c{i}", File = [(byte)i] }).ToList();

        await Task.WhenAll(tasks.Select(t => Task.Run(() => store.AddAsync(t, None))));

        var page = await store.ListAsync(0, 100, null, None);
        Assert.Equal(50, page.Total);
        Assert.Equal(tasks.Select(t => t.Id).Order(), page.Tasks.Select(t => t.Id).Order());
        foreach (var task in tasks)
        {
            Assert.Equal(task.File, (await store.GetAsync(task.Id, None))?.File);
        }
    }

    [Fact]
    public async Task Concurrent_adds_and_updates_do_not_collide()
    {
        var store = await OpenAsync();
        var tasks = Enumerable.Range(0, 200).Select(i => new PropellerTask { Id = Guid.NewGuid(), Name = $"c{i}" }).ToList();
        await Parallel.ForEachAsync(tasks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (task, ct) =>
        {
            await store.AddAsync(task, ct);
            task.State = TaskState.Completed;
            await store.UpdateAsync(task, ct);
        });

        var completed = await store.ListAsync(0, 100, TaskState.Completed, None);
        Assert.Equal(200, completed.Total);
        Assert.Equal(100, completed.Tasks.Count);
        Assert.Equal(0, (await store.ListAsync(0, 100, TaskState.Pending, None)).Total);
    }

    /// <summary>A task with every field set to something a mix-up of columns would show.</summary>
    protected static PropellerTask FullTask()
    {
        var start = new DateTime(2026, 1, 1, 0, 0, 1, DateTimeKind.Utc).AddTicks(1234567);
        return new PropellerTask
        {
            Id = Guid.NewGuid(),
            Name = "tâche ✓ 🚀",
            State = TaskState.Failed,
            ImageUrl = "https://example.test/m.wasm",
            File = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, .. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7))],
            CliArgs = ["-S", "nn", "--dir=/home/proplet/fixture::fixture"],
            Inputs =
            [
                JsonSerializer.SerializeToElement(1),
                JsonSerializer.SerializeToElement(2.5),
                JsonSerializer.SerializeToElement(-3),
                JsonElement.Parse("12345678901234567890"),
                JsonSerializer.SerializeToElement("two"),
                JsonSerializer.SerializeToElement(""),
            ],
            Env = new() { ["MODEL_DIR"] = "/models", ["EMPTY"] = "" },
            Daemon = true,
            Encrypted = true,
            PropletId = "proplet-1",
            Pinned = true,
            Results = JsonElement.Parse("""{"stdout":"out\n","sum":3}"""),
            Error = "Process exited with status 3: boom",
            PendingReason = "proplet-1 is not alive",
            StartTime = start,
            FinishTime = start.AddSeconds(1),
            CreatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            UpdatedAt = DateTime.MaxValue,
            Timeout = "1m30s",
            MaxRetries = 3,
            Attempt = 2,
            Retries = 1,
            Transitions =
            [
                new() { State = TaskState.Scheduled, At = start.AddTicks(-1), PropletId = "proplet-1" },
                new() { State = TaskState.Running, At = start, PropletId = "proplet-1" },
                new() { State = TaskState.Failed, At = start.AddSeconds(1), PropletId = "proplet-1", Reason = "proplet proplet-1 lost" },
            ],
        };
    }

    /// <summary>The same task as the API would show it, plus <see cref="PropellerTask.Pinned"/>, which the JSON leaves out.</summary>
    private static void AssertSame(PropellerTask expected, PropellerTask actual)
    {
        Assert.Equal(
            JsonSerializer.Serialize(expected, PropellerJsonContext.Default.PropellerTask),
            JsonSerializer.Serialize(actual, PropellerJsonContext.Default.PropellerTask));
        Assert.Equal(expected.Pinned, actual.Pinned);
    }

    private static List<Guid> DescendingIds(int count) =>
        [.. Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).OrderDescending()];
}

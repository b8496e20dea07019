using Microsoft.Data.Sqlite;
using Propeller.Core.Tasks;
using Propeller.Manager.Storage;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Storage;

/// <summary>The task store contract against a real SQLite file, plus what only SQLite has: files from older versions.</summary>
public sealed class SqliteTaskStoreTests : TaskStoreContract
{
    private readonly TempDirectory _directory = new();

    // In a directory that does not exist yet: the store creates it.
    private string DatabasePath => Path.Combine(_directory.Path, "nested", "tasks.db");

    protected override ITaskStore CreateStore() => new SqliteTaskStore(DatabasePath);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        // Pooled connections keep the file open; let go of them before deleting it.
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_file_from_before_timeouts_retries_and_transitions_gains_those_columns()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var id = Guid.NewGuid();
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE tasks (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, state INTEGER NOT NULL,
                    image_url TEXT, file BLOB, cli_args TEXT, inputs TEXT, env TEXT, daemon INTEGER NOT NULL, encrypted INTEGER NOT NULL,
                    proplet_id TEXT, pinned INTEGER NOT NULL, results TEXT, error TEXT, pending_reason TEXT,
                    start_time INTEGER NOT NULL, finish_time INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
                INSERT INTO tasks (id, name, state, daemon, encrypted, pinned, start_time, finish_time, created_at, updated_at)
                VALUES ($id, 'old', 2, 0, 0, 0, 0, 0, 0, 0);
                """;
            command.Parameters.AddWithValue("$id", id.ToString());
            await command.ExecuteNonQueryAsync();
        }

        var store = await OpenAsync();
        var old = await store.GetAsync(id, CancellationToken.None);

        Assert.NotNull(old);
        Assert.Equal(("old", TaskState.Running), (old.Name, old.State));
        Assert.Equal((0, 0, null), (old.MaxRetries, old.Attempt, old.Timeout));
        Assert.Empty(old.Transitions);
        Assert.Equal([id], (await store.ListActiveAsync(CancellationToken.None)).Select(t => t.Id));

        old.MaxRetries = 2;
        old.Timeout = "10s";
        old.Transitions = [new TaskTransition { State = TaskState.Running, At = DateTime.UnixEpoch }];
        await store.UpdateAsync(old, CancellationToken.None);
        var updated = await store.GetAsync(id, CancellationToken.None);
        Assert.Equal((2, "10s"), (updated!.MaxRetries, updated.Timeout));
        Assert.Equal(DateTime.UnixEpoch, Assert.Single(updated.Transitions).At);
    }
}

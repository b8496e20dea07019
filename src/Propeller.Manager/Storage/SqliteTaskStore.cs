using System.Text.Json;
using Microsoft.Data.Sqlite;
using Propeller.Core.Json;
using Propeller.Core.Tasks;

namespace Propeller.Manager.Storage;

/// <summary>
/// Tasks in one SQLite file (WAL mode). A committed write survives a crash of the manager process
/// (kill -9); with <c>synchronous=NORMAL</c> an operating-system crash may lose the last commits.
/// </summary>
public sealed class SqliteTaskStore(string path) : ITaskStore
{
    private const string Columns =
        "id, name, state, image_url, file, cli_args, inputs, env, daemon, encrypted, proplet_id, pinned, results, error, pending_reason, start_time, finish_time, created_at, updated_at, timeout, max_retries, attempt, transitions, retries";

    private const string ColumnsWithoutFile =
        "id, name, state, image_url, NULL, cli_args, inputs, env, daemon, encrypted, proplet_id, pinned, results, error, pending_reason, start_time, finish_time, created_at, updated_at, timeout, max_retries, attempt, transitions, retries";

    private readonly SqliteDatabase _database = new(path);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _database.CreateDirectory();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS tasks (
                seq            INTEGER PRIMARY KEY AUTOINCREMENT,
                id             TEXT NOT NULL UNIQUE,
                name           TEXT NOT NULL,
                state          INTEGER NOT NULL,
                image_url      TEXT,
                file           BLOB,
                cli_args       TEXT,
                inputs         TEXT,
                env            TEXT,
                daemon         INTEGER NOT NULL,
                encrypted      INTEGER NOT NULL,
                proplet_id     TEXT,
                pinned         INTEGER NOT NULL,
                results        TEXT,
                error          TEXT,
                pending_reason TEXT,
                start_time     INTEGER NOT NULL,
                finish_time    INTEGER NOT NULL,
                created_at     INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL,
                timeout        TEXT,
                max_retries    INTEGER NOT NULL DEFAULT 0,
                attempt        INTEGER NOT NULL DEFAULT 0,
                transitions    TEXT,
                retries        INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX IF NOT EXISTS tasks_state ON tasks(state);
            """, cancellationToken);
        await ExecuteAsync(connection, "CREATE INDEX IF NOT EXISTS tasks_proplet_state ON tasks(proplet_id, state);", cancellationToken);
        await AddColumnIfMissingAsync(connection, "timeout", "TEXT", cancellationToken);
        await AddColumnIfMissingAsync(connection, "max_retries", "INTEGER NOT NULL DEFAULT 0", cancellationToken);
        await AddColumnIfMissingAsync(connection, "attempt", "INTEGER NOT NULL DEFAULT 0", cancellationToken);
        await AddColumnIfMissingAsync(connection, "transitions", "TEXT", cancellationToken);
        await AddColumnIfMissingAsync(connection, "retries", "INTEGER NOT NULL DEFAULT 0", cancellationToken);
    }

    public async Task AddAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO tasks ({Columns}) VALUES ($id, $name, $state, $image_url, $file, $cli_args, $inputs, $env, $daemon, $encrypted, $proplet_id, $pinned, $results, $error, $pending_reason, $start_time, $finish_time, $created_at, $updated_at, $timeout, $max_retries, $attempt, $transitions, $retries)";
        Bind(command, task);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<PropellerTask?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM tasks WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<TaskPage> ListAsync(int offset, int limit, TaskState? state, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var where = state is null ? "" : "WHERE state = $state";

        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM tasks {where}";
        await using var page = connection.CreateCommand();
        page.CommandText = $"SELECT {ColumnsWithoutFile} FROM tasks {where} ORDER BY seq LIMIT $limit OFFSET $offset";
        page.Parameters.AddWithValue("$limit", limit);
        page.Parameters.AddWithValue("$offset", offset);
        if (state is not null)
        {
            count.Parameters.AddWithValue("$state", (int)state);
            page.Parameters.AddWithValue("$state", (int)state);
        }

        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        var tasks = new List<PropellerTask>();
        await using var reader = await page.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tasks.Add(Read(reader));
        }

        return new TaskPage(offset, limit, total, tasks);
    }

    public async Task UpdateAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE tasks SET name=$name, state=$state, image_url=$image_url, file=$file, cli_args=$cli_args,
                inputs=$inputs, env=$env, daemon=$daemon, encrypted=$encrypted, proplet_id=$proplet_id, pinned=$pinned,
                results=$results, error=$error, pending_reason=$pending_reason, start_time=$start_time,
                finish_time=$finish_time, created_at=$created_at, updated_at=$updated_at, timeout=$timeout,
                max_retries=$max_retries, attempt=$attempt, transitions=$transitions, retries=$retries
            WHERE id=$id
            """;
        Bind(command, task);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM tasks WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<Guid>> ListWaitingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM tasks WHERE state = $state AND pending_reason IS NOT NULL ORDER BY seq";
        command.Parameters.AddWithValue("$state", (int)TaskState.Pending);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(Guid.Parse(reader.GetString(0)));
        }

        return ids;
    }

    public Task<IReadOnlyList<PropellerTask>> ListActiveAsync(CancellationToken cancellationToken) =>
        ListActiveAsync(null, cancellationToken);

    public Task<IReadOnlyList<PropellerTask>> ListActiveOnAsync(string propletId, CancellationToken cancellationToken) =>
        ListActiveAsync(propletId, cancellationToken);

    public async Task<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, COUNT(*) FROM tasks GROUP BY state";
        var counts = new Dictionary<TaskState, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[(TaskState)reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    private async Task<IReadOnlyList<PropellerTask>> ListActiveAsync(string? propletId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var onProplet = propletId is null ? "" : "AND proplet_id = $proplet_id";
        command.CommandText = $"SELECT {ColumnsWithoutFile} FROM tasks WHERE state IN ($scheduled, $running) {onProplet} ORDER BY seq";
        command.Parameters.AddWithValue("$scheduled", (int)TaskState.Scheduled);
        command.Parameters.AddWithValue("$running", (int)TaskState.Running);
        if (propletId is not null)
        {
            command.Parameters.AddWithValue("$proplet_id", propletId);
        }

        var tasks = new List<PropellerTask>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tasks.Add(Read(reader));
        }

        return tasks;
    }

    /// <summary>Brings a database written by an earlier version up to date; columns are only ever added.</summary>
    private static async Task AddColumnIfMissingAsync(SqliteConnection connection, string column, string type, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('tasks') WHERE name = $column";
        command.Parameters.AddWithValue("$column", column);
        if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            await ExecuteAsync(connection, $"ALTER TABLE tasks ADD COLUMN {column} {type}", cancellationToken);
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Bind(SqliteCommand command, PropellerTask task)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", task.Id.ToString());
        p.AddWithValue("$name", task.Name);
        p.AddWithValue("$state", (int)task.State);
        p.AddWithValue("$image_url", (object?)task.ImageUrl ?? DBNull.Value);
        p.Add("$file", SqliteType.Blob).Value = (object?)task.File ?? DBNull.Value;
        p.AddWithValue("$cli_args", ToJson(task.CliArgs, PropellerJsonContext.Default.ListString));
        p.AddWithValue("$inputs", ToJson(task.Inputs, PropellerJsonContext.Default.ListJsonElement));
        p.AddWithValue("$env", ToJson(task.Env, PropellerJsonContext.Default.DictionaryStringString));
        p.AddWithValue("$daemon", task.Daemon ? 1 : 0);
        p.AddWithValue("$encrypted", task.Encrypted ? 1 : 0);
        p.AddWithValue("$proplet_id", (object?)task.PropletId ?? DBNull.Value);
        p.AddWithValue("$pinned", task.Pinned ? 1 : 0);
        p.AddWithValue("$results", task.Results is { } r ? r.GetRawText() : DBNull.Value);
        p.AddWithValue("$error", (object?)task.Error ?? DBNull.Value);
        p.AddWithValue("$pending_reason", (object?)task.PendingReason ?? DBNull.Value);
        p.AddWithValue("$start_time", task.StartTime.Ticks);
        p.AddWithValue("$finish_time", task.FinishTime.Ticks);
        p.AddWithValue("$created_at", task.CreatedAt.Ticks);
        p.AddWithValue("$updated_at", task.UpdatedAt.Ticks);
        p.AddWithValue("$timeout", (object?)task.Timeout ?? DBNull.Value);
        p.AddWithValue("$max_retries", task.MaxRetries);
        p.AddWithValue("$attempt", task.Attempt);
        p.AddWithValue("$retries", task.Retries);
        p.AddWithValue("$transitions", ToJson(task.Transitions, PropellerJsonContext.Default.ListTaskTransition));
    }

    private static object ToJson<T>(T? value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class =>
        value is null ? DBNull.Value : JsonSerializer.Serialize(value, type);

    private static PropellerTask Read(SqliteDataReader r) => new()
    {
        Id = Guid.Parse(r.GetString(0)),
        Name = r.GetString(1),
        State = (TaskState)r.GetInt32(2),
        ImageUrl = r.IsDBNull(3) ? null : r.GetString(3),
        File = r.IsDBNull(4) ? null : (byte[])r.GetValue(4),
        CliArgs = r.IsDBNull(5) ? null : JsonSerializer.Deserialize(r.GetString(5), PropellerJsonContext.Default.ListString),
        Inputs = r.IsDBNull(6) ? null : JsonSerializer.Deserialize(r.GetString(6), PropellerJsonContext.Default.ListJsonElement),
        Env = r.IsDBNull(7) ? null : JsonSerializer.Deserialize(r.GetString(7), PropellerJsonContext.Default.DictionaryStringString),
        Daemon = r.GetInt32(8) != 0,
        Encrypted = r.GetInt32(9) != 0,
        PropletId = r.IsDBNull(10) ? null : r.GetString(10),
        Pinned = r.GetInt32(11) != 0,
        Results = r.IsDBNull(12) ? null : ParseJson(r.GetString(12)),
        Error = r.IsDBNull(13) ? null : r.GetString(13),
        PendingReason = r.IsDBNull(14) ? null : r.GetString(14),
        StartTime = Utc(r.GetInt64(15)),
        FinishTime = Utc(r.GetInt64(16)),
        CreatedAt = Utc(r.GetInt64(17)),
        UpdatedAt = Utc(r.GetInt64(18)),
        Timeout = r.IsDBNull(19) ? null : r.GetString(19),
        MaxRetries = r.GetInt32(20),
        Attempt = r.GetInt32(21),
        Transitions = r.IsDBNull(22) ? [] : JsonSerializer.Deserialize(r.GetString(22), PropellerJsonContext.Default.ListTaskTransition) ?? [],
        Retries = r.GetInt32(23),
    };

    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static DateTime Utc(long ticks) => new(ticks, DateTimeKind.Utc);
}

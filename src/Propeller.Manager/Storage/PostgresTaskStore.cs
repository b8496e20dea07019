using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using NpgsqlTypes;
using Propeller.Core.Json;
using Propeller.Core.Tasks;

namespace Propeller.Manager.Storage;

/// <summary>
/// Tasks in a PostgreSQL table, for managers that share a database server. Each call is one
/// autocommitted statement, so a write is committed (and, with the server's default
/// <c>synchronous_commit=on</c>, flushed) when the call returns. Behaves as <see cref="SqliteTaskStore"/>.
/// </summary>
/// <param name="connectionString">An Npgsql connection string; <see cref="PostgresConnectionString.Parse"/> makes one from a URL.</param>
public sealed class PostgresTaskStore(string connectionString) : ITaskStore, IAsyncDisposable
{
    private const string Columns =
        "id, name, state, image_url, file, cli_args, inputs, env, daemon, encrypted, proplet_id, pinned, results, error, pending_reason, start_time, finish_time, created_at, updated_at, timeout, max_retries, attempt, transitions, retries";

    private const string ColumnsWithoutFile =
        "id, name, state, image_url, NULL, cli_args, inputs, env, daemon, encrypted, proplet_id, pinned, results, error, pending_reason, start_time, finish_time, created_at, updated_at, timeout, max_retries, attempt, transitions, retries";

    // The pool: connections are reused across calls instead of a new session (and authentication) per call.
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // Times are ticks (not timestamptz, which holds microseconds from 4713 BC on) so that every DateTime,
        // DateTime.MinValue for "unset" included, reads back exactly. JSON stays text so it reads back byte for byte.
        await using var command = _dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS tasks (
                seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id             uuid NOT NULL UNIQUE,
                name           text NOT NULL,
                state          integer NOT NULL,
                image_url      text,
                file           bytea,
                cli_args       text,
                inputs         text,
                env            text,
                daemon         boolean NOT NULL,
                encrypted      boolean NOT NULL,
                proplet_id     text,
                pinned         boolean NOT NULL,
                results        text,
                error          text,
                pending_reason text,
                start_time     bigint NOT NULL,
                finish_time    bigint NOT NULL,
                created_at     bigint NOT NULL,
                updated_at     bigint NOT NULL,
                timeout        text,
                max_retries    integer NOT NULL DEFAULT 0,
                attempt        integer NOT NULL DEFAULT 0,
                transitions    text,
                retries        integer NOT NULL DEFAULT 0
            );
            CREATE INDEX IF NOT EXISTS tasks_state ON tasks(state);
            CREATE INDEX IF NOT EXISTS tasks_proplet_state ON tasks(proplet_id, state);
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            $"INSERT INTO tasks ({Columns}) VALUES (@id, @name, @state, @image_url, @file, @cli_args, @inputs, @env, @daemon, @encrypted, @proplet_id, @pinned, @results, @error, @pending_reason, @start_time, @finish_time, @created_at, @updated_at, @timeout, @max_retries, @attempt, @transitions, @retries)");
        Bind(command, task);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<PropellerTask?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {Columns} FROM tasks WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<TaskPage> ListAsync(int offset, int limit, TaskState? state, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var where = state is null ? "" : "WHERE state = @state";

        await using var count = new NpgsqlCommand($"SELECT COUNT(*) FROM tasks {where}", connection);
        await using var page = new NpgsqlCommand($"SELECT {ColumnsWithoutFile} FROM tasks {where} ORDER BY seq LIMIT @limit OFFSET @offset", connection);
        page.Parameters.AddWithValue("limit", limit);
        page.Parameters.AddWithValue("offset", offset);
        if (state is not null)
        {
            count.Parameters.AddWithValue("state", (int)state);
            page.Parameters.AddWithValue("state", (int)state);
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
        await using var command = _dataSource.CreateCommand("""
            UPDATE tasks SET name=@name, state=@state, image_url=@image_url, file=@file, cli_args=@cli_args,
                inputs=@inputs, env=@env, daemon=@daemon, encrypted=@encrypted, proplet_id=@proplet_id, pinned=@pinned,
                results=@results, error=@error, pending_reason=@pending_reason, start_time=@start_time,
                finish_time=@finish_time, created_at=@created_at, updated_at=@updated_at, timeout=@timeout,
                max_retries=@max_retries, attempt=@attempt, transitions=@transitions, retries=@retries
            WHERE id=@id
            """);
        Bind(command, task);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM tasks WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<Guid>> ListWaitingAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT id FROM tasks WHERE state = @state AND pending_reason IS NOT NULL ORDER BY seq");
        command.Parameters.AddWithValue("state", (int)TaskState.Pending);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    public Task<IReadOnlyList<PropellerTask>> ListActiveAsync(CancellationToken cancellationToken) =>
        ListActiveAsync(null, cancellationToken);

    public Task<IReadOnlyList<PropellerTask>> ListActiveOnAsync(string propletId, CancellationToken cancellationToken) =>
        ListActiveAsync(propletId, cancellationToken);

    private async Task<IReadOnlyList<PropellerTask>> ListActiveAsync(string? propletId, CancellationToken cancellationToken)
    {
        var onProplet = propletId is null ? "" : "AND proplet_id = @proplet_id";
        await using var command = _dataSource.CreateCommand($"SELECT {ColumnsWithoutFile} FROM tasks WHERE state IN (@scheduled, @running) {onProplet} ORDER BY seq");
        command.Parameters.AddWithValue("scheduled", (int)TaskState.Scheduled);
        command.Parameters.AddWithValue("running", (int)TaskState.Running);
        if (propletId is not null)
        {
            command.Parameters.AddWithValue("proplet_id", propletId);
        }

        var tasks = new List<PropellerTask>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tasks.Add(Read(reader));
        }

        return tasks;
    }

    public async Task<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT state, COUNT(*) FROM tasks GROUP BY state");
        var counts = new Dictionary<TaskState, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[(TaskState)reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static void Bind(NpgsqlCommand command, PropellerTask task)
    {
        var p = command.Parameters;
        p.AddWithValue("id", task.Id);
        p.AddWithValue("name", task.Name);
        p.AddWithValue("state", (int)task.State);
        // Nullable columns get their type spelled out: a bare DBNull says nothing about what it stands for.
        p.AddWithValue("image_url", NpgsqlDbType.Text, (object?)task.ImageUrl ?? DBNull.Value);
        p.AddWithValue("file", NpgsqlDbType.Bytea, (object?)task.File ?? DBNull.Value);
        p.AddWithValue("cli_args", NpgsqlDbType.Text, ToJson(task.CliArgs, PropellerJsonContext.Default.ListString));
        p.AddWithValue("inputs", NpgsqlDbType.Text, ToJson(task.Inputs, PropellerJsonContext.Default.ListJsonElement));
        p.AddWithValue("env", NpgsqlDbType.Text, ToJson(task.Env, PropellerJsonContext.Default.DictionaryStringString));
        p.AddWithValue("daemon", task.Daemon);
        p.AddWithValue("encrypted", task.Encrypted);
        p.AddWithValue("proplet_id", NpgsqlDbType.Text, (object?)task.PropletId ?? DBNull.Value);
        p.AddWithValue("pinned", task.Pinned);
        p.AddWithValue("results", NpgsqlDbType.Text, task.Results is { } r ? r.GetRawText() : DBNull.Value);
        // A proplet's error text is a guest's stderr and may hold NUL, which PostgreSQL text cannot store (SQLite can).
        p.AddWithValue("error", NpgsqlDbType.Text, (object?)task.Error?.Replace('\0', '\uFFFD') ?? DBNull.Value);
        p.AddWithValue("pending_reason", NpgsqlDbType.Text, (object?)task.PendingReason ?? DBNull.Value);
        p.AddWithValue("start_time", task.StartTime.Ticks);
        p.AddWithValue("finish_time", task.FinishTime.Ticks);
        p.AddWithValue("created_at", task.CreatedAt.Ticks);
        p.AddWithValue("updated_at", task.UpdatedAt.Ticks);
        p.AddWithValue("timeout", NpgsqlDbType.Text, (object?)task.Timeout ?? DBNull.Value);
        p.AddWithValue("max_retries", task.MaxRetries);
        p.AddWithValue("attempt", task.Attempt);
        p.AddWithValue("retries", task.Retries);
        p.AddWithValue("transitions", NpgsqlDbType.Text, ToJson(task.Transitions, PropellerJsonContext.Default.ListTaskTransition));
    }

    private static object ToJson<T>(T? value, JsonTypeInfo<T> type)
        where T : class =>
        value is null ? DBNull.Value : JsonSerializer.Serialize(value, type);

    private static PropellerTask Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Name = r.GetString(1),
        State = (TaskState)r.GetInt32(2),
        ImageUrl = r.IsDBNull(3) ? null : r.GetString(3),
        File = r.IsDBNull(4) ? null : r.GetFieldValue<byte[]>(4),
        CliArgs = r.IsDBNull(5) ? null : JsonSerializer.Deserialize(r.GetString(5), PropellerJsonContext.Default.ListString),
        Inputs = r.IsDBNull(6) ? null : JsonSerializer.Deserialize(r.GetString(6), PropellerJsonContext.Default.ListJsonElement),
        Env = r.IsDBNull(7) ? null : JsonSerializer.Deserialize(r.GetString(7), PropellerJsonContext.Default.DictionaryStringString),
        Daemon = r.GetBoolean(8),
        Encrypted = r.GetBoolean(9),
        PropletId = r.IsDBNull(10) ? null : r.GetString(10),
        Pinned = r.GetBoolean(11),
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

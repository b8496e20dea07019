using Microsoft.Data.Sqlite;

namespace Propeller.Manager.Storage;

/// <summary>
/// The manager's SQLite file as its stores open it (tasks and credentials share it): created with its directory,
/// pooled connections, each set up the same way.
/// </summary>
public sealed class SqliteDatabase(string path)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public void CreateDirectory()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Per connection: NORMAL is durable against process crashes in WAL mode and avoids an fsync per commit.
        // busy_timeout lets SQLite wait for another connection's write in steps of a few milliseconds; without it
        // Microsoft.Data.Sqlite sleeps 150 ms before trying again, and under load one task in six waited that long.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}

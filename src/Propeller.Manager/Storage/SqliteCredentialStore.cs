using Microsoft.Data.Sqlite;
using Propeller.Manager.Security;

namespace Propeller.Manager.Storage;

/// <summary>Credentials in a <c>credentials</c> table of the manager's SQLite file (the one of <see cref="SqliteTaskStore"/>).</summary>
public sealed class SqliteCredentialStore(string path) : ICredentialStore
{
    private readonly SqliteDatabase _database = new(path);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _database.CreateDirectory();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS credentials (
                id         TEXT PRIMARY KEY,
                kind       TEXT NOT NULL,
                domain_id  TEXT NOT NULL,
                channel_id TEXT NOT NULL,
                key_hash   TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAsync(IReadOnlyList<Credential> credentials, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var credential in credentials)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO credentials (id, kind, domain_id, channel_id, key_hash, created_at) VALUES ($id, $kind, $domain, $channel, $hash, $created)";
            command.Parameters.AddWithValue("$id", credential.Id);
            command.Parameters.AddWithValue("$kind", CredentialKinds.Name(credential.Kind));
            command.Parameters.AddWithValue("$domain", credential.DomainId);
            command.Parameters.AddWithValue("$channel", credential.ChannelId);
            command.Parameters.AddWithValue("$hash", credential.KeyHash);
            command.Parameters.AddWithValue("$created", credential.CreatedAt.Ticks);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Credential>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = CredentialRows.Select;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<Credential>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(CredentialRows.Read(reader));
        }

        return list;
    }

    public async Task<bool> RevokeAsync(string id, DateTime at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE credentials SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", at.Ticks);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}

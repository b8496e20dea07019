using Npgsql;
using Propeller.Manager.Security;

namespace Propeller.Manager.Storage;

/// <summary>Credentials in a <c>credentials</c> table of the manager's PostgreSQL database.</summary>
public sealed class PostgresCredentialStore(string connectionString) : ICredentialStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS credentials (
                id         text PRIMARY KEY,
                kind       text NOT NULL,
                domain_id  text NOT NULL,
                channel_id text NOT NULL,
                key_hash   text NOT NULL,
                created_at bigint NOT NULL,
                revoked_at bigint
            );
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAsync(IReadOnlyList<Credential> credentials, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var credential in credentials)
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO credentials (id, kind, domain_id, channel_id, key_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)", connection, transaction);
            command.Parameters.AddWithValue(credential.Id);
            command.Parameters.AddWithValue(CredentialKinds.Name(credential.Kind));
            command.Parameters.AddWithValue(credential.DomainId);
            command.Parameters.AddWithValue(credential.ChannelId);
            command.Parameters.AddWithValue(credential.KeyHash);
            command.Parameters.AddWithValue(credential.CreatedAt.Ticks);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Credential>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(CredentialRows.Select);
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
        await using var command = _dataSource.CreateCommand("UPDATE credentials SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(at.Ticks);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}

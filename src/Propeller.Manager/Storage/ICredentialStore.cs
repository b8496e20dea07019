using Propeller.Manager.Security;

namespace Propeller.Manager.Storage;

/// <summary>Provisioned credentials (hashes only), next to the tasks in the same database.</summary>
public interface ICredentialStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Adds all of them in one transaction: a provisioning that fails half-way leaves nothing behind.</summary>
    Task AddAsync(IReadOnlyList<Credential> credentials, CancellationToken cancellationToken);

    Task<IReadOnlyList<Credential>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks it revoked (rows are never deleted); false when there is no such credential or it was revoked already.</summary>
    Task<bool> RevokeAsync(string id, DateTime at, CancellationToken cancellationToken);
}

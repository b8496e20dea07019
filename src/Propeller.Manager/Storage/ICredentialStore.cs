using Propeller.Manager.Security;

namespace Propeller.Manager.Storage;

/// <summary>Provisioned credentials (hashes only), next to the tasks in the same database.</summary>
public interface ICredentialStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Adds all of them in one transaction: a provisioning that fails half-way leaves nothing behind.</summary>
    Task AddAsync(IReadOnlyList<Credential> credentials, CancellationToken cancellationToken);

    Task<IReadOnlyList<Credential>> ListAsync(CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}

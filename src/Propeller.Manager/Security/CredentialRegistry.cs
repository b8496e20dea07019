using System.Collections.Frozen;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Security;

/// <summary>
/// The credentials the manager accepts, held in memory so that the broker's CONNECT check and every REST
/// request answer without a database round trip; changes go to the store first, then here.
/// API keys come from provisioning (stored) and from MANAGER_API_KEYS (never stored).
/// </summary>
public sealed class CredentialRegistry(ICredentialStore store, ManagerOptions options, TimeProvider clock, ILogger<CredentialRegistry> logger)
{
    private readonly FrozenSet<string> _configuredApiKeyHashes = options.ApiKeys.Select(SecretKey.Hash).ToFrozenSet(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writes = new(1, 1);
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Raised after credentials were added or removed (the API logs when it starts or stops requiring keys).</summary>
    public event Action? Changed;

    public IReadOnlyList<Credential> All => _snapshot.All;

    /// <summary>
    /// True once MANAGER_API_KEYS is set or anything was ever provisioned: then every route but /health needs a key.
    /// Revoked credentials count, so revoking keys never opens the API again (MANAGER_API_KEYS lets its owner back in).
    /// </summary>
    public bool ApiKeysRequired => _configuredApiKeyHashes.Count > 0 || _snapshot.All.Count > 0;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        _snapshot = new Snapshot(await store.ListAsync(cancellationToken));
        logger.LogDebug("Loaded {count} credentials", _snapshot.All.Count);
    }

    public async Task AddAsync(IReadOnlyList<Credential> credentials, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            await store.AddAsync(credentials, cancellationToken);
            _snapshot = new Snapshot([.. _snapshot.All, .. credentials]);
        }
        finally
        {
            _writes.Release();
        }

        Changed?.Invoke();
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        bool removed;
        await _writes.WaitAsync(cancellationToken);
        try
        {
            var at = clock.GetUtcNow().UtcDateTime;
            removed = await store.RevokeAsync(id, at, cancellationToken);
            if (removed)
            {
                _snapshot = new Snapshot([.. _snapshot.All.Select(c => c.Id == id ? c with { RevokedAt = at } : c)]);
            }
        }
        finally
        {
            _writes.Release();
        }

        if (removed)
        {
            Changed?.Invoke();
        }

        return removed;
    }

    public bool IsApiKey(string presented)
    {
        var hash = SecretKey.Hash(presented);
        return _configuredApiKeyHashes.Contains(hash) || _snapshot.ApiKeyHashes.Contains(hash);
    }

    /// <summary>The MQTT credential <paramref name="clientId"/> proves with <paramref name="key"/>, or null.</summary>
    public Credential? VerifyMqtt(string clientId, string? key)
    {
        if (key is null || !_snapshot.ById.TryGetValue(clientId, out var credential) || credential.Kind == CredentialKind.Api)
        {
            return null;
        }

        return SecretKey.Matches(key, credential.KeyHash) ? credential : null;
    }

    /// <summary>Whether anyone was ever provisioned for MQTT on this domain and channel (revoked or not): from then on its broker admits no one without a key.</summary>
    public bool HasMqttCredentials(string domainId, string channelId) => _snapshot.MqttChannels.Contains((domainId, channelId));

    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([]);

        public Snapshot(IReadOnlyList<Credential> all)
        {
            All = all;
            var valid = all.Where(c => c.RevokedAt is null).ToList();
            ById = valid.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
            ApiKeyHashes = valid.Where(c => c.Kind == CredentialKind.Api).Select(c => c.KeyHash).ToFrozenSet(StringComparer.Ordinal);
            MqttChannels = all.Where(c => c.Kind != CredentialKind.Api).Select(c => (c.DomainId, c.ChannelId)).ToFrozenSet();
        }

        public IReadOnlyList<Credential> All { get; }

        /// <summary>The credentials that are not revoked.</summary>
        public FrozenDictionary<string, Credential> ById { get; }

        public FrozenSet<string> ApiKeyHashes { get; }

        public FrozenSet<(string DomainId, string ChannelId)> MqttChannels { get; }
    }
}

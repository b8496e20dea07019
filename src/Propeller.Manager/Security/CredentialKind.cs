namespace Propeller.Manager.Security;

/// <summary>What a provisioned credential lets its holder do.</summary>
public enum CredentialKind
{
    /// <summary>MQTT: everything on its domain's channel, as the manager (for an external broker).</summary>
    Manager,

    /// <summary>MQTT: a proplet's own messages on its channel; its client id is its proplet_id.</summary>
    Proplet,

    /// <summary>REST: <c>Authorization: Bearer</c> on every route but /health.</summary>
    Api,
}

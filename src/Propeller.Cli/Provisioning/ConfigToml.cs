using Propeller.Core.Api;
using Propeller.Core.Configuration.Toml;

namespace Propeller.Cli.Provisioning;

/// <summary>
/// The config.toml of upstream's <c>provision</c>: <c>[manager]</c> and <c>[proplet]</c> with domain_id,
/// channel_id, client_id and client_key, plus <c>[cli]</c> (manager_url, api_key) for this CLI. The manager,
/// proplets and CLI read it from their working directory or from *_CONFIG_FILE.
/// </summary>
public static class ConfigToml
{
    public static string ForManager(ProvisionResponse provisioned, Uri managerUrl, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(provisioned);
        var writer = Header(now, managerUrl, """

            The manager, proplet and propeller-cli read this file from their working directory, or from
            MANAGER_CONFIG_FILE, PROPLET_CONFIG_FILE and PROPELLER_CONFIG_FILE. Environment variables win over it.
            """);
        Client(writer.Table("manager"), provisioned, provisioned.Manager);
        if (provisioned.Proplets.Count > 0)
        {
            Client(writer.Table("proplet"), provisioned, provisioned.Proplets[0]);
        }

        writer.Table("cli")
            .Key("manager_url", managerUrl.ToString().TrimEnd('/'))
            .Comment($"Sent as 'Authorization: Bearer'; revoke it with: propeller-cli credentials revoke {provisioned.Api.Id}")
            .Key("api_key", provisioned.Api.Key);
        return writer.ToString();
    }

    /// <summary>The file for one proplet's machine: only its own [proplet] section.</summary>
    public static string Proplet(ProvisionResponse provisioned, ClientCredentials proplet, Uri managerUrl, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(provisioned);
        var writer = Header(now, managerUrl, """

            For one proplet: PROPLET_CONFIG_FILE=<this file> propeller-proplet. Environment variables win over it.
            """);
        Client(writer.Table("proplet"), provisioned, proplet);
        return writer.ToString();
    }

    private static TomlWriter Header(DateTime now, Uri managerUrl, string usage) =>
        new TomlWriter()
            .Comment($"Written by propeller-cli provision at {now:yyyy-MM-ddTHH:mm:ssZ} (manager {managerUrl.ToString().TrimEnd('/')}).")
            .Comment("Keep it secret: its keys are written nowhere else, and the manager keeps only their hashes.")
            .Comment(usage.TrimStart('\n', '\r').TrimEnd());

    private static void Client(TomlWriter writer, ProvisionResponse provisioned, ClientCredentials client) =>
        writer
            .Key("domain_id", provisioned.DomainId)
            .Key("channel_id", provisioned.ChannelId)
            .Key("client_id", client.ClientId)
            .Key("client_key", client.ClientKey);
}

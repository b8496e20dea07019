using System.CommandLine;
using Propeller.Cli.Provisioning;
using Propeller.Core.Api;

namespace Propeller.Cli;

/// <summary><c>provision</c> (upstream's command; here the manager creates the credentials) and <c>credentials list|revoke</c>.</summary>
public sealed partial class Commands
{
    public Command Provision()
    {
        var proplets = new Option<int>("--proplets") { Description = "How many proplet identities to create (0-1000)", HelpName = "n", DefaultValueFactory = _ => 1 };
        proplets.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 1000)
            {
                r.AddError("--proplets must be from 0 to 1000");
            }
        });
        var domain = new Option<string>("--domain-id") { Description = "Use this domain instead of a new one (a new UUID by default)", HelpName = "id" };
        var channel = new Option<string>("--channel-id") { Description = "Use this channel instead of a new one (a new UUID by default)", HelpName = "id" };
        var outputDir = new Option<string>("--output-dir") { Description = "Where to write config.toml and mosquitto/", HelpName = "dir", DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Replace files that exist (their keys stay valid until revoked)" };
        var provision = New("provision", "Create a domain, a channel, credentials for the manager and proplets and an API key; write config.toml.", """
            Asks the manager (POST /provision) and writes, readable by you only (0600):
              config.toml           [manager], [proplet] (domain_id, channel_id, client_id, client_key)
                                    and [cli] (manager_url, api_key); the manager, proplet and this CLI
                                    read it from their working directory (or *_CONFIG_FILE)
              proplet-N.toml        one [proplet] file per proplet (N from 1): give a proplet's machine
                                    its own file, not config.toml, which holds the manager's and API keys
              mosquitto/passwd      the same identities for an external Mosquitto (password_file),
              mosquitto/acl         its topic rights (acl_file),
              mosquitto/conf.d/propeller.conf  the lines that switch both on (include_dir)
            The keys are shown nowhere else. From now on the manager's REST API requires the API key;
            a manager restarted with this config.toml admits only these MQTT identities on its embedded
            broker. Existing files are kept unless --force.

            Examples:
              propeller-cli provision
              propeller-cli provision --proplets 3 --output-dir docker
            """,
            proplets, domain, channel, outputDir, force);
        Handle(provision, async (context, parse, ct) =>
        {
            var dir = parse.GetValue(outputDir)!;
            var count = parse.GetValue(proplets);
            var config = Path.Combine(dir, "config.toml");
            // One file per proplet, to hand to its machine: config.toml also holds the manager's and the API's keys.
            var propletFiles = Enumerable.Range(1, count).Select(n => Path.Combine(dir, $"proplet-{n}.toml")).ToList();
            var passwd = Path.Combine(dir, "mosquitto", "passwd");
            var acl = Path.Combine(dir, "mosquitto", "acl");
            var brokerConfig = Path.Combine(dir, "mosquitto", "conf.d", "propeller.conf");
            List<string> files = [config, .. propletFiles, passwd, acl, brokerConfig];
            SecretFiles.CheckWritable(files, parse.GetValue(force));

            var provisioned = await context.Client.ProvisionAsync(
                new ProvisionRequest { Proplets = count, DomainId = parse.GetValue(domain), ChannelId = parse.GetValue(channel) }, ct);
            var now = DateTime.UtcNow;
            var header = $"Written by propeller-cli provision at {now:yyyy-MM-ddTHH:mm:ssZ} for domain {provisioned.DomainId}, channel {provisioned.ChannelId}.";
            SecretFiles.Write(config, ConfigToml.ForManager(provisioned, context.ManagerUrl, now));
            for (var i = 0; i < propletFiles.Count; i++)
            {
                SecretFiles.Write(propletFiles[i], ConfigToml.Proplet(provisioned, provisioned.Proplets[i], context.ManagerUrl, now));
            }

            SecretFiles.Write(passwd, MosquittoFiles.PasswordFile(provisioned));
            SecretFiles.Write(acl, MosquittoFiles.AclFile(provisioned, header));
            SecretFiles.Write(brokerConfig, MosquittoFiles.AuthConfig("/mosquitto/config", header + "\nPaths as the broker container of docker/compose.yaml sees them; change them for another Mosquitto."));
            context.Printer.Provisioned(provisioned, files);
            context.Note($"the keys are in {config}; the manager's API now requires its [cli] api_key (this CLI reads it from there)");
            return ExitCodes.Success;
        });
        return provision;
    }

    public Command Credentials()
    {
        var credentials = New("credentials", "See and revoke what provision created.", """
            Examples:
              propeller-cli credentials list -o table
              propeller-cli credentials revoke api-3fc0a69a-6c1c-4944-bd71-1117e9ddcf31
            """);
        var list = New("list", "List provisioned credentials, without their keys (GET /credentials).", """
            Example:
              propeller-cli credentials list -o table
            """);
        Handle(list, async (context, _, ct) =>
        {
            context.Printer.Credentials(await context.Client.ListCredentialsAsync(ct));
            return ExitCodes.Success;
        });

        var id = new Argument<string>("id") { Description = "The credential's id, as credentials list shows it" };
        var revoke = New("revoke", "Revoke a credential: its key stops working at once (DELETE /credentials/{id}).", """
            Example:
              propeller-cli credentials revoke api-3fc0a69a-6c1c-4944-bd71-1117e9ddcf31
            """,
            id);
        Handle(revoke, async (context, parse, ct) =>
        {
            await context.Client.RevokeCredentialAsync(parse.GetRequiredValue(id), ct);
            context.Printer.Done("revoked", $"revoked {parse.GetRequiredValue(id)}");
            return ExitCodes.Success;
        });

        credentials.Add(list);
        credentials.Add(revoke);
        return credentials;
    }
}

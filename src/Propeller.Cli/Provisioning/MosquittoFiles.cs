using System.Text;
using Propeller.Core.Api;
using Propeller.Core.Messaging;

namespace Propeller.Cli.Provisioning;

/// <summary>
/// The rules of the manager's embedded broker, written for an external Mosquitto: who may connect
/// (<c>passwd</c>) and which topics each may use (<c>acl</c>), plus the configuration lines that switch them on.
/// Mosquitto cannot look inside payloads, so the embedded broker's other check (a proplet's messages must carry
/// its own proplet_id) has no equivalent here.
/// </summary>
public static class MosquittoFiles
{
    public static string PasswordFile(ProvisionResponse provisioned)
    {
        ArgumentNullException.ThrowIfNull(provisioned);
        var text = new StringBuilder();
        text.Append(MosquittoPassword.Line(provisioned.Manager.ClientId, provisioned.Manager.ClientKey)).Append('\n');
        foreach (var proplet in provisioned.Proplets)
        {
            text.Append(MosquittoPassword.Line(proplet.ClientId, proplet.ClientKey)).Append('\n');
        }

        return text.ToString();
    }

    public static string AclFile(ProvisionResponse provisioned, string header)
    {
        ArgumentNullException.ThrowIfNull(provisioned);
        var topics = new Topics(provisioned.DomainId, provisioned.ChannelId);
        var text = new StringBuilder();
        foreach (var line in header.Split('\n'))
        {
            text.Append("# ").Append(line).Append('\n');
        }

        text.Append("# Clients not listed here (and anonymous ones) may use no topic at all.\n\n");
        text.Append("# The manager: its whole channel.\n");
        text.Append("user ").Append(provisioned.Manager.ClientId).Append('\n');
        text.Append("topic readwrite ").Append(topics.Base).Append("/#\n");
        foreach (var proplet in provisioned.Proplets)
        {
            text.Append("\n# A proplet: its own announcements and results; the manager's control messages.\n");
            text.Append("user ").Append(proplet.ClientId).Append('\n');
            foreach (var topic in new[] { topics.PropletCreate, topics.PropletAlive, topics.PropletRunning, topics.PropletResults })
            {
                text.Append("topic write ").Append(topic).Append('\n');
            }

            text.Append("topic read ").Append(topics.ManagerAll).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Lines for a file in the broker's <c>include_dir</c>, naming the two files where the broker sees them.</summary>
    public static string AuthConfig(string brokerConfigDirectory, string header)
    {
        var text = new StringBuilder();
        foreach (var line in header.Split('\n'))
        {
            text.Append("# ").Append(line).Append('\n');
        }

        text.Append("allow_anonymous false\n");
        // Without it, one key holder could connect under another client's id and push it off (Mosquitto drops the older
        // connection); with it, every client's id is its username, as the embedded broker demands.
        text.Append("use_username_as_clientid true\n");
        text.Append("password_file ").Append(brokerConfigDirectory).Append("/passwd\n");
        text.Append("acl_file ").Append(brokerConfigDirectory).Append("/acl\n");
        return text.ToString();
    }
}

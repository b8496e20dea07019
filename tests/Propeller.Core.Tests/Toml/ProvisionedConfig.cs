using Propeller.Core.Configuration.Toml;

namespace Propeller.Core.Tests.Toml;

/// <summary>A config.toml as <c>propeller-cli provision</c> writes it, built with <see cref="TomlWriter"/>.</summary>
internal static class ProvisionedConfig
{
    public static TomlWriter Build() => new TomlWriter()
        .Comment("Propeller configuration, written by propeller-cli provision.\nIt holds client keys: keep it private.")
        .Table("manager")
        .Key("domain_id", "0d7e5c3a-9b1f-4e2a-8c6d-3f4a5b6c7d8e")
        .Key("client_id", "7f8e9d0c-1b2a-4c3d-9e8f-a1b2c3d4e5f6")
        .Key("client_key", "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f")
        .Key("channel_id", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")
        .Key("http_port", 7070)
        .Key("api_keys", new[] { "k-1", "k-2" })
        .Table("proplet")
        .Comment("The proplet's own identity on the message broker.")
        .Key("domain_id", "0d7e5c3a-9b1f-4e2a-8c6d-3f4a5b6c7d8e")
        .Key("client_id", "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9")
        .Key("client_key", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d")
        .Key("channel_id", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")
        .Key("runtime_debug", false)
        .Table("cli")
        .Key("manager_url", "http://localhost:7070")
        .Key("api_key", "k-1");

    public const string Text = """
        # Propeller configuration, written by propeller-cli provision.
        # It holds client keys: keep it private.

        [manager]
        domain_id = "0d7e5c3a-9b1f-4e2a-8c6d-3f4a5b6c7d8e"
        client_id = "7f8e9d0c-1b2a-4c3d-9e8f-a1b2c3d4e5f6"
        client_key = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
        channel_id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
        http_port = 7070
        api_keys = ["k-1", "k-2"]

        [proplet]
        # The proplet's own identity on the message broker.
        domain_id = "0d7e5c3a-9b1f-4e2a-8c6d-3f4a5b6c7d8e"
        client_id = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
        client_key = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
        channel_id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
        runtime_debug = false

        [cli]
        manager_url = "http://localhost:7070"
        api_key = "k-1"

        """;
}

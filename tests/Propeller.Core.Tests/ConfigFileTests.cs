using Propeller.Core.Configuration;

namespace Propeller.Core.Tests;

/// <summary>config.toml as a source of settings: the file's keys become variables, and the environment wins.</summary>
public sealed class ConfigFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("propeller-config-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Keys_of_the_section_become_the_programs_variables_with_typed_values_as_text()
    {
        var path = Write("""
            # written by provision
            [manager]
            domain_id = "d-1"
            http_port = 7071
            mqtt_qos = 0
            api_keys = ["0123456789abcdef-one", "0123456789abcdef-two"]

            [proplet]
            domain_id = "not-for-the-manager"
            """);
        var settings = Load(path, environment: []);

        Assert.Equal(("d-1", $"{path} line 3, [manager] domain_id"), settings.Find("MANAGER_DOMAIN_ID"));
        Assert.Equal(7071, settings.GetInt(7070, 0, 65535, "MANAGER_HTTP_PORT"));
        Assert.Equal("0123456789abcdef-one,0123456789abcdef-two", settings.Get("MANAGER_API_KEYS"));
        Assert.Null(settings.Get("PROPLET_DOMAIN_ID"));
    }

    [Fact]
    public void The_environment_wins_over_the_file_under_any_of_a_settings_names()
    {
        var path = Write("""
            [proplet]
            domain_id = "from-file"
            client_key = "file-key"
            """);
        var settings = Load(path, environment: [("PROPLET_TENANT_ID", "from-env")], section: "proplet", prefix: "PROPLET_");

        // PROPLET_DOMAIN_ID is only in the file and PROPLET_TENANT_ID only in the environment: the environment's wins.
        Assert.Equal(("from-env", "PROPLET_TENANT_ID"), settings.Find("PROPLET_DOMAIN_ID", "PROPLET_TENANT_ID"));
        Assert.Equal("file-key", settings.Get("PROPLET_CLIENT_KEY", "PROPLET_API_KEY"));
    }

    [Fact]
    public void A_bad_value_in_the_file_names_the_file_line_and_key()
    {
        var path = Write("""
            [manager]

            http_port = 70000
            """);
        var error = Assert.Throws<InvalidSettingException>(() => Load(path, []).GetInt(7070, 0, 65535, "MANAGER_HTTP_PORT"));
        Assert.Equal($"{path} line 3, [manager] http_port='70000' is not valid: expected a whole number from 0 to 65535", error.Message);
    }

    [Fact]
    public void A_key_no_setting_reads_is_refused_with_where_it_is()
    {
        var path = Write("""
            [manager]
            http_port = 7071
            htp_host = "0.0.0.0"
            """);
        var settings = Load(path, []);
        settings.GetInt(7070, 0, 65535, "MANAGER_HTTP_PORT");
        settings.Get("MANAGER_HTTP_HOST");

        var error = Assert.Throws<InvalidSettingException>(settings.RejectUnknownFileKeys);
        Assert.Contains($"{path} line 3, [manager] htp_host, column 1: unknown key (it would set MANAGER_HTP_HOST", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_toml_is_refused_with_line_and_column()
    {
        var path = Write("""
            [manager]
            http_port = 7071
            domain_id = "unterminated
            """);
        var error = Assert.Throws<InvalidSettingException>(() => Load(path, []));
        Assert.StartsWith("MANAGER_CONFIG_FILE=", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_default_file_is_no_file_but_a_missing_named_one_is_an_error()
    {
        var missing = Path.Combine(_directory, "absent.toml");
        Assert.Null(ConfigFile.Load(_ => null, "MANAGER_CONFIG_FILE", missing, "manager", "MANAGER_"));

        var error = Assert.Throws<InvalidSettingException>(() => ConfigFile.Load(n => n == "MANAGER_CONFIG_FILE" ? missing : null, "MANAGER_CONFIG_FILE", "config.toml", "manager", "MANAGER_"));
        Assert.Contains("an existing TOML file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_in_place_of_the_file_says_how_it_came_about()
    {
        // What Docker leaves behind when compose mounts a config.toml that does not exist yet (upstream's users met it).
        var directory = Path.Combine(_directory, "config.toml");
        Directory.CreateDirectory(directory);
        var error = Assert.Throws<InvalidSettingException>(() => ConfigFile.Load(_ => null, "PROPLET_CONFIG_FILE", directory, "proplet", "PROPLET_"));
        Assert.Contains("it is a directory (Docker makes one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_value_under_the_section_is_refused()
    {
        var path = Write("""
            [manager.http]
            port = 1
            """);
        var error = Assert.Throws<InvalidSettingException>(() => Load(path, []));
        Assert.Contains("[manager] http", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a table", error.Message, StringComparison.Ordinal);
    }

    private string Write(string text)
    {
        var path = Path.Combine(_directory, $"config-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, text + "\n");
        return path;
    }

    private static Settings Load(string path, (string Name, string Value)[] environment, string section = "manager", string prefix = "MANAGER_")
    {
        string? Lookup(string name) => environment.FirstOrDefault(v => v.Name == name).Value;
        var file = ConfigFile.Load(name => name == $"{prefix}CONFIG_FILE" ? path : Lookup(name), $"{prefix}CONFIG_FILE", "config.toml", section, prefix);
        return new Settings(Lookup, file);
    }
}

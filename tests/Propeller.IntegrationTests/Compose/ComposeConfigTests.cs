using System.Text.RegularExpressions;

namespace Propeller.IntegrationTests.Compose;

/// <summary>
/// docker/compose.yaml and docker/.env checked without a Docker engine: `docker-compose config` must accept them
/// (with each profile), and every variable must be one that something reads.
/// </summary>
public sealed partial class ComposeConfigTests
{
    [Theory]
    [InlineData("")]
    [InlineData("postgres")]
    [InlineData("broker-port")]
    public async Task Docker_compose_accepts_the_file(string profile)
    {
        var config = await ComposeConfig.LoadAsync(profile.Length == 0 ? [] : [profile]);

        Assert.Subset(config.Services.Keys.ToHashSet(), new HashSet<string> { "broker", "manager", "proplet" });
        if (profile.Length > 0)
        {
            Assert.Contains(config.Services.Values, s => s.Profiles.Contains(profile));
        }
    }

    [Fact]
    public void Every_variable_of_the_env_file_is_used_by_compose_and_every_one_compose_uses_is_in_it()
    {
        // Comments left out: they may show ${…} as an example.
        var compose = string.Join('\n', File.ReadAllLines(ComposeConfig.ComposeFile).Select(l => Comment().Replace(l, "")));
        // ${NAME}, ${NAME:-default}, …; "$${" is compose's escaped literal and names nothing.
        var used = Interpolation().Matches(compose).Select(m => m.Groups[1].Value).ToHashSet();
        // COMPOSE_* configure compose itself rather than the file.
        var defined = ComposeConfig.EnvFileVariables().Keys.Where(n => !n.StartsWith("COMPOSE_", StringComparison.Ordinal)).ToHashSet();

        Assert.True(defined.Except(used).ToList() is [], $"docker/.env defines variables compose.yaml never uses (misspelled?): {string.Join(", ", defined.Except(used))}");
        Assert.True(used.Except(defined).ToList() is [], $"compose.yaml uses variables docker/.env does not define: {string.Join(", ", used.Except(defined))}");
    }

    [Fact]
    public async Task The_manager_and_the_proplet_get_only_variables_their_programs_read()
    {
        var config = await ComposeConfig.LoadAsync();
        foreach (var name in new[] { "manager", "proplet" })
        {
            ProgramSettings.AssertAllRead(ProgramSettings.ForService(name), config.Service(name).Environment.Keys, $"compose service {name}");
        }

        // .env's MANAGER_*/PROPLET_* lines go to those services under the same names.
        var variables = ComposeConfig.EnvFileVariables().Keys.ToList();
        ProgramSettings.AssertAllRead(ProgramSettings.Manager, variables.Where(n => n.StartsWith("MANAGER_", StringComparison.Ordinal)), "docker/.env");
        ProgramSettings.AssertAllRead(ProgramSettings.Proplet, variables.Where(n => n.StartsWith("PROPLET_", StringComparison.Ordinal)), "docker/.env");
    }

    [Fact]
    public async Task The_manager_and_the_proplet_share_the_broker_and_the_topics()
    {
        var config = await ComposeConfig.LoadAsync();
        var manager = config.Service("manager").Environment;
        var proplet = config.Service("proplet").Environment;

        Assert.Equal(manager["MANAGER_MQTT_ADDRESS"], proplet["PROPLET_MQTT_ADDRESS"]);
        Assert.Equal(manager["MANAGER_DOMAIN_ID"], proplet["PROPLET_DOMAIN_ID"]);
        Assert.Equal(manager["MANAGER_CHANNEL_ID"], proplet["PROPLET_CHANNEL_ID"]);
    }

    [Fact]
    public async Task Every_image_is_pinned_to_a_version()
    {
        var config = await ComposeConfig.LoadAsync();
        foreach (var service in config.Services.Values)
        {
            Assert.Matches(@"^[\w./-]+:\d+(\.\d+)+$", service.Image ?? $"(service {service.Name} has no image)");
        }
    }

    [Fact]
    public async Task The_postgres_profile_gives_the_manager_the_postgres_services_database()
    {
        // What docs/deployment.md tells users to do: the profile, plus MANAGER_STORAGE_TYPE=postgres (here as an exported variable).
        var config = await ComposeConfig.LoadAsync(["postgres"], new Dictionary<string, string> { ["MANAGER_STORAGE_TYPE"] = "postgres" });
        var manager = config.Service("manager").Environment;
        var postgres = config.Service("postgres");

        Assert.Equal("postgres", manager["MANAGER_STORAGE_TYPE"]);
        var url = new Uri(manager["MANAGER_POSTGRES_URL"]);
        Assert.Equal(postgres.Name, url.Host);
        Assert.Equal(5432, url.Port);
        Assert.Equal($"{postgres.Environment["POSTGRES_USER"]}:{postgres.Environment["POSTGRES_PASSWORD"]}", url.UserInfo);
        Assert.Equal($"/{postgres.Environment["POSTGRES_DB"]}", url.AbsolutePath);
        Assert.NotNull(postgres.MountHolding("/var/lib/postgresql/data"));
    }

    [GeneratedRegex(@"(^|\s)#.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Interpolation();
}

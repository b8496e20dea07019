using System.Diagnostics;
using Propeller.Testing;
using YamlDotNet.RepresentationModel;

namespace Propeller.IntegrationTests.Compose;

/// <summary>A volume or bind mount: <c>source</c> is a volume name or an absolute host path (compose resolves them).</summary>
public sealed record ComposeMount(string Source, string Target);

/// <summary>One service of <c>docker-compose config</c>'s output, with the parts the tests read.</summary>
public sealed record ComposeService(
    string Name,
    string? Image,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<ComposeMount> Volumes,
    IReadOnlyList<int> ContainerPorts,
    IReadOnlyList<string> HealthCheck,
    IReadOnlyList<string> Profiles)
{
    /// <summary>The mount whose target is <paramref name="target"/>; fails naming the mounts there are.</summary>
    public ComposeMount Mount(string target) =>
        Volumes.SingleOrDefault(v => v.Target == target)
        ?? throw new Xunit.Sdk.XunitException($"service {Name} mounts nothing at {target}; its mounts: {string.Join(", ", Volumes.Select(v => $"{v.Source}:{v.Target}"))}");

    /// <summary>The mount whose target holds <paramref name="path"/> (the path itself or below it), or null.</summary>
    public ComposeMount? MountHolding(string path) =>
        Volumes.FirstOrDefault(v => path == v.Target || path.StartsWith(v.Target.TrimEnd('/') + "/", StringComparison.Ordinal));
}

/// <summary>
/// docker/compose.yaml as <c>docker-compose config</c> resolves it: docker/.env interpolated, relative paths made
/// absolute. docker-compose runs with none of .env's variables in its environment, so the developer's shell
/// cannot change what the tests see; a test passes its own (as a user would export them) explicitly.
/// </summary>
public sealed class ComposeConfig
{
    private ComposeConfig(IReadOnlyDictionary<string, ComposeService> services) => Services = services;

    public static string DockerDirectory => Path.Combine(Repository.Root, "docker");

    public static string ComposeFile => Path.Combine(DockerDirectory, "compose.yaml");

    public static string EnvFile => Path.Combine(DockerDirectory, ".env");

    public IReadOnlyDictionary<string, ComposeService> Services { get; }

    public ComposeService Service(string name) =>
        Services.TryGetValue(name, out var service)
            ? service
            : throw new Xunit.Sdk.XunitException($"docker/compose.yaml has no service '{name}'; it has: {string.Join(", ", Services.Keys)}");

    /// <summary>Runs <c>docker-compose [--profile P]… -f docker/compose.yaml config</c>; fails with its stderr when it
    /// exits non-zero or warns (an unset variable, for one, is only a warning).</summary>
    public static async Task<ComposeConfig> LoadAsync(IReadOnlyList<string>? profiles = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var arguments = (profiles ?? []).SelectMany(p => new[] { "--profile", p }).Concat(["-f", ComposeFile, "config"]).ToArray();
        var (exitCode, output, errors) = await RunAsync(arguments, environment);
        Assert.True(exitCode == 0, $"docker-compose {string.Join(' ', arguments)} exited with {exitCode}:\n{errors}");
        Assert.True(errors.Trim().Length == 0, $"docker-compose {string.Join(' ', arguments)} warned:\n{errors}");
        return Parse(output);
    }

    /// <summary>Runs docker-compose (Debian's 1.29; `make deps` installs it) in the repository root.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var executable = (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "docker-compose"))
            .FirstOrDefault(File.Exists)
            ?? throw new Xunit.Sdk.XunitException("docker-compose is not installed: run `make deps` (Debian package docker-compose)");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in EnvFileVariables().Keys.Append("COMPOSE_FILE").Append("COMPOSE_PROFILES"))
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"docker-compose {string.Join(' ', arguments)} did not finish within 60 s");
        }

        return (process.ExitCode, await output, await errors);
    }

    /// <summary>docker/.env's variables in file order (comment lines skipped).</summary>
    public static IReadOnlyDictionary<string, string> EnvFileVariables()
    {
        var variables = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(EnvFile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"docker/.env: not NAME=VALUE: {line}");
            variables[line[..equals]] = line[(equals + 1)..];
        }

        return variables;
    }

    private static ComposeConfig Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var services = new Dictionary<string, ComposeService>();
        foreach (var (key, value) in (YamlMappingNode)root.Children[new YamlScalarNode("services")])
        {
            var name = Scalar(key);
            var service = (YamlMappingNode)value;
            services[name] = new ComposeService(
                name,
                Child(service, "image") is YamlScalarNode image ? image.Value : null,
                Child(service, "environment") is YamlMappingNode environment
                    ? environment.Children.ToDictionary(e => Scalar(e.Key), e => Scalar(e.Value))
                    : new Dictionary<string, string>(),
                Sequence(service, "volumes").Select(Mount).ToList(),
                Sequence(service, "ports").Select(ContainerPort).ToList(),
                Child(service, "healthcheck") is YamlMappingNode health ? Sequence(health, "test").Select(Scalar).Select(Unescape).ToList() : [],
                Sequence(service, "profiles").Select(Scalar).ToList());
        }

        return new ComposeConfig(services);
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static IEnumerable<YamlNode> Sequence(YamlMappingNode node, string key) =>
        Child(node, key) is YamlSequenceNode sequence ? sequence.Children : [];

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    // `config` writes a literal $ as $$ (compose's escape), as the file does.
    private static string Unescape(string value) => value.Replace("$$", "$", StringComparison.Ordinal);

    // docker-compose 1.29 writes "source:target[:mode]"; Compose v2 writes the long form (type, source, target).
    private static ComposeMount Mount(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new ComposeMount(Scalar(mapping.Children[new YamlScalarNode("source")]), Scalar(mapping.Children[new YamlScalarNode("target")])),
        _ => Scalar(node).Split(':') is [var source, var target, ..] ? new ComposeMount(source, target) : throw new FormatException($"volume '{Scalar(node)}'"),
    };

    // "127.0.0.1:7070:7070/tcp" (1.29) or {target: 7070, published: …} (v2): the port inside the container.
    private static int ContainerPort(YamlNode node) => node switch
    {
        YamlMappingNode mapping => int.Parse(Scalar(mapping.Children[new YamlScalarNode("target")]), System.Globalization.CultureInfo.InvariantCulture),
        _ => int.Parse(Scalar(node).Split('/')[0].Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture),
    };
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Propeller.Testing;

namespace Propeller.IntegrationTests.Compose;

/// <summary>
/// docker/compose.yaml's broker, manager and proplet started as plain processes, each with the environment that
/// `docker-compose config` gives its service, then the seeds' wasi-nn flow through them. There is no Docker engine
/// here, so what cannot be the same outside containers is substituted, and nothing else:
/// <list type="bullet">
/// <item>host names and ports: the broker's <c>listener 1883</c> and <c>tcp://broker:1883</c> → 127.0.0.1 and a free
/// port; the manager's 0.0.0.0:7070 → 127.0.0.1 and a free port (in the healthchecks' commands too); PostgreSQL's
/// postgres:5432, user and database → the test's own server; the proplet's metrics port 9100 → a free port;</item>
/// <item>volume paths: the broker's persistence_location, the manager's SQLite file and the proplet's
/// /home/proplet/fixture (also in the task's <c>--dir</c> and in PROPLET_ALLOWED_DIRS) → temporary directories, the last holding
/// the example's fixture;</item>
/// <item>the runtime: <c>wasmtime</c> → build/propeller-wasm (no wasmtime here; it takes the same flags).</item>
/// </list>
/// Each substitution first checks the value it replaces (the host names the broker service, the path lies on a volume,
/// the runtime is the one the image installs), so a renamed, misspelled or inconsistent variable fails the test.
/// </summary>
public sealed partial class ComposeAsProcessesTests : IDisposable
{
    private const string FixtureInContainer = "/home/proplet/fixture";
    private const string BrokerConfigDirectoryInContainer = "/mosquitto/config";

    private readonly TempDirectory _directory = new("propeller-compose");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_seeds_wasi_nn_flow_runs_on_the_compose_services_started_as_processes()
    {
        var config = await ComposeConfig.LoadAsync();
        var (brokerService, managerService, propletService) = (config.Service("broker"), config.Service("manager"), config.Service("proplet"));
        ProgramSettings.AssertAllRead(ProgramSettings.Manager, managerService.Environment.Keys, "compose service manager");
        ProgramSettings.AssertAllRead(ProgramSettings.Proplet, propletService.Environment.Keys, "compose service proplet");

        var brokerPort = FreePort.Get();
        var (broker, brokerPortInContainer) = await StartBrokerAsync(brokerService, brokerPort);
        await using var brokerProcess = broker;

        var httpPort = FreePort.Get();
        var managerEnvironment = ManagerEnvironment(managerService, httpPort);
        SubstituteBroker(managerEnvironment, "MANAGER_MQTT_ADDRESS", brokerPortInContainer, brokerPort);
        await using var manager = ChildProcess.Start(Repository.Executable("propeller-manager"), managerEnvironment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        await WaitUntilHealthyAsync(http, manager);
        await RunHealthCheckAsync(managerService, managerService.ContainerPorts.Single(), httpPort);

        var fixture = CopyExampleFixture();
        var propellerWasm = Repository.Executable("propeller-wasm");
        var propletEnvironment = EnvironmentOf(propletService);
        SubstituteBroker(propletEnvironment, "PROPLET_MQTT_ADDRESS", brokerPortInContainer, brokerPort);
        Substitute(propletEnvironment, "PROPLET_EXTERNAL_WASM_RUNTIME", "wasmtime", propellerWasm);
        // The metrics port is the container's own; here a free one, so parallel runs do not collide.
        var metricsPort = FreePort.Get();
        Substitute(propletEnvironment, "PROPLET_METRICS_PORT", "9100", metricsPort.ToString(CultureInfo.InvariantCulture));
        // The seeds' mount: ./fixture next to compose.yaml, i.e. docker/fixture (docs/deployment.md), the directory tasks may map.
        Assert.Equal(Path.Combine(ComposeConfig.DockerDirectory, "fixture"), propletService.Mount(FixtureInContainer).Source);
        Substitute(propletEnvironment, "PROPLET_ALLOWED_DIRS", FixtureInContainer, fixture);
        await using var proplet = ChildProcess.Start(Repository.Executable("propeller-proplet"), propletEnvironment);
        var (propletId, metadata) = await WaitForAlivePropletAsync(http, manager, proplet);
        Assert.Equal($"host:{propellerWasm}", metadata.GetProperty("wasm_runtime").GetString());

        // The seeds' task, its container path mapped to the fixture's stand-in.
        string[] seedsArguments = ["-S", "nn", $"--dir={FixtureInContainer}::fixture"];
        var arguments = seedsArguments.Select(a => a.Replace($"={FixtureInContainer}::", $"={fixture}::", StringComparison.Ordinal));
        var done = await TaskCalls.RunAsync(
            http,
            JsonSerializer.Serialize(new { name = "wasi-nn-demo", cli_args = arguments }),
            Repository.WasiNnGuest("classification-c"),
            "one inference of a small model");

        Assert.True(done.GetProperty("state").GetInt32() == 3, $"the task did not complete: {done}\nProplet log:\n{proplet.Log}");
        Assert.Equal(propletId, done.GetProperty("proplet_id").GetString());
        var results = done.GetProperty("results").GetString()!;
        Assert.StartsWith("Read graph weights, size in bytes: 578966\nLoaded graph into wasi-nn with ID: 0\nCreated wasi-nn execution context with ID: 0\n", results);
        Assert.Contains("Executed graph inference\nFound results, sorted top 5: [InferenceResult(0, ", results, StringComparison.Ordinal);

        // PROPLET_METRICS_HOST=0.0.0.0 from the compose file: the proplet's metrics answer on its port.
        using var metrics = await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        Assert.Equal(System.Net.HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("propeller_proplet_tasks_total{outcome=\"completed\"} 1", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_manager_keeps_tasks_in_PostgreSQL_with_the_postgres_profiles_environment()
    {
        // docs/deployment.md: the postgres profile plus MANAGER_STORAGE_TYPE=postgres (here exported, as a user may).
        var config = await ComposeConfig.LoadAsync(["postgres"], new Dictionary<string, string> { ["MANAGER_STORAGE_TYPE"] = "postgres" });
        var managerService = config.Service("manager");
        await using var cluster = await PostgresCluster.StartAsync();
        var testDatabase = new Uri(await cluster.CreateDatabaseUrlAsync());

        var httpPort = FreePort.Get();
        var environment = ManagerEnvironment(managerService, httpPort);
        // No broker: the store does not need one (the manager keeps retrying it); broker:1883 → a local port nobody serves.
        environment["MANAGER_MQTT_ADDRESS"] = $"tcp://127.0.0.1:{FreePort.Get()}";
        var url = new Uri(environment["MANAGER_POSTGRES_URL"]!);
        Assert.Equal(("postgres", 5432), (url.Host, url.Port));
        var password = url.UserInfo.Split(':', 2)[1];
        environment["MANAGER_POSTGRES_URL"] = $"postgres://{testDatabase.UserInfo}:{password}@{testDatabase.Host}:{testDatabase.Port}{testDatabase.AbsolutePath}";

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        string id;
        await using (var manager = ChildProcess.Start(Repository.Executable("propeller-manager"), environment))
        {
            await WaitUntilHealthyAsync(http, manager);
            id = (await TaskCalls.CreateAsync(http, """{"name": "kept-in-postgres"}""")).GetProperty("id").GetString()!;
        }

        await using (var restarted = ChildProcess.Start(Repository.Executable("propeller-manager"), environment))
        {
            await WaitUntilHealthyAsync(http, restarted);
            Assert.Equal("kept-in-postgres", (await TaskCalls.GetAsync(http, id)).GetProperty("name").GetString());
        }

        Assert.False(File.Exists(environment["MANAGER_SQLITE_PATH"]), "the manager wrote its SQLite file although the store is PostgreSQL");
    }

    /// <summary>The manager's compose environment with its substitutions: listen address and port, SQLite file.</summary>
    private Dictionary<string, string?> ManagerEnvironment(ComposeService service, int httpPort)
    {
        var environment = EnvironmentOf(service);
        Substitute(environment, "MANAGER_HTTP_HOST", "0.0.0.0", "127.0.0.1");
        // The port the manager listens on must be the one compose publishes.
        Substitute(environment, "MANAGER_HTTP_PORT", service.ContainerPorts.Single().ToString(CultureInfo.InvariantCulture), httpPort.ToString(CultureInfo.InvariantCulture));
        Assert.True(environment.TryGetValue("MANAGER_SQLITE_PATH", out var database) && database is not null, "compose sets no MANAGER_SQLITE_PATH");
        environment["MANAGER_SQLITE_PATH"] = OnVolume(service, database, "manager");
        return environment;
    }

    /// <summary>Starts Debian's Mosquitto with the config file compose mounts into the broker, adapted; returns it and the
    /// port the config listens on in the container.</summary>
    private async Task<(ChildProcess Broker, int PortInContainer)> StartBrokerAsync(ComposeService service, int port)
    {
        int? portInContainer = null;
        var adapted = new List<string>();
        var configDirectory = service.Mount(BrokerConfigDirectoryInContainer).Source;
        foreach (var line in File.ReadAllLines(Path.Combine(configDirectory, "mosquitto.conf")).Select(l => l.Trim()))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["listener", var listenerPort])
            {
                portInContainer = int.Parse(listenerPort, CultureInfo.InvariantCulture);
                adapted.Add($"listener {port} 127.0.0.1");
            }
            else if (words is ["persistence_location", var location])
            {
                var directory = OnVolume(service, location, "broker");
                Directory.CreateDirectory(directory);
                // Run as root, Mosquitto drops to the user mosquitto, which must still be able to write here.
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
                adapted.Add($"persistence_location {directory}/");
            }
            else if (words is ["include_dir", var included])
            {
                // Where provision's conf.d/propeller.conf goes. The repository's holds none (they are ignored by git);
                // an empty stand-in keeps one that a developer provisioned out of this test.
                Assert.Equal($"{BrokerConfigDirectoryInContainer}/conf.d", included);
                Assert.True(Directory.Exists(Path.Combine(configDirectory, "conf.d")), "docker/mosquitto/conf.d is missing: compose mounts the directory and mosquitto.conf includes it");
                adapted.Add($"include_dir {Directory.CreateDirectory(_directory.Combine("conf.d")).FullName}");
            }
            else
            {
                Assert.False(line.Contains(" /", StringComparison.Ordinal) && !line.StartsWith('#'), $"mosquitto.conf has a path this test does not know how to map: {line}");
                adapted.Add(line);
            }
        }

        Assert.True(portInContainer is not null, "docker/mosquitto/mosquitto.conf has no `listener PORT` line");
        var file = _directory.Combine("mosquitto.conf");
        await File.WriteAllLinesAsync(file, adapted);
        var broker = ChildProcess.Start(MosquittoProcess.BinaryPath, new Dictionary<string, string?>(), "-c", file);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync("127.0.0.1", port);
                return (broker, portInContainer.Value);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !broker.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                await broker.DisposeAsync();
                throw new TimeoutException($"Mosquitto did not listen on {port} with docker/mosquitto's config. Its log:\n{broker.Log}");
            }
        }
    }

    /// <summary>Runs a service's compose healthcheck command here, its container port replaced by the substituted one.</summary>
    private static async Task RunHealthCheckAsync(ComposeService service, int portInContainer, int port)
    {
        Assert.True(service.HealthCheck is ["CMD", _, ..], $"service {service.Name}: expected a healthcheck [\"CMD\", …], got [{string.Join(", ", service.HealthCheck)}]");
        var start = new ProcessStartInfo(service.HealthCheck[1]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in service.HealthCheck.Skip(2))
        {
            start.ArgumentList.Add(Regex.Replace(argument, $"(?<=^|:){portInContainer}(?=$|/)", port.ToString(CultureInfo.InvariantCulture)));
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the healthcheck of {service.Name} did not finish within 30 s");
        }

        Assert.True(process.ExitCode == 0, $"the healthcheck of {service.Name} ({string.Join(' ', start.ArgumentList.Prepend(start.FileName))}) failed with {process.ExitCode}: {await output}{await errors}");
    }

    private static async Task WaitUntilHealthyAsync(HttpClient http, ChildProcess manager)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !manager.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the manager did not answer /health within 30 s{(manager.HasExited ? $" (it exited with {manager.ExitCode})" : "")}. Its log:\n{manager.Log}");
    }

    /// <summary>Waits until the manager lists one alive proplet (this manager and broker serve nobody else).</summary>
    private static async Task<(string Id, JsonElement Metadata)> WaitForAlivePropletAsync(HttpClient http, ChildProcess manager, ChildProcess proplet)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !proplet.HasExited)
        {
            var page = await http.GetFromJsonAsync<JsonElement>(new Uri("/proplets", UriKind.Relative));
            foreach (var listed in page.GetProperty("proplets").EnumerateArray().Where(p => p.GetProperty("alive").GetBoolean()))
            {
                return (listed.GetProperty("id").GetString()!, listed.GetProperty("metadata"));
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no proplet was alive at the manager within 30 s. Proplet log:\n{proplet.Log}\nManager log:\n{manager.Log}");
    }

    private static Dictionary<string, string?> EnvironmentOf(ComposeService service) =>
        service.Environment.ToDictionary(e => e.Key, e => (string?)e.Value);

    /// <summary>Replaces a variable's value, after checking it is the one expected.</summary>
    private static void Substitute(Dictionary<string, string?> environment, string name, string expected, string replacement)
    {
        Assert.True(environment.TryGetValue(name, out var value), $"compose sets no {name}; it sets: {string.Join(", ", environment.Keys)}");
        Assert.Equal(expected, value);
        environment[name] = replacement;
    }

    /// <summary>An MQTT address must name the broker service and the port its config listens on; it becomes the local broker's.</summary>
    private static void SubstituteBroker(Dictionary<string, string?> environment, string name, int portInContainer, int port)
    {
        Assert.True(environment.TryGetValue(name, out var value) && value is not null, $"compose sets no {name}");
        var address = new Uri(value);
        Assert.Equal(("broker", portInContainer), (address.Host, address.Port));
        environment[name] = $"tcp://127.0.0.1:{port}";
    }

    /// <summary>A path in a container must lie on one of its service's volumes (else it is lost with the container); it maps
    /// to the same place in a temporary directory standing in for that volume.</summary>
    private string OnVolume(ComposeService service, string path, string label)
    {
        var mount = service.MountHolding(path) ?? throw new Xunit.Sdk.XunitException($"{path} (service {service.Name}) is on no volume: it would be lost with the container");
        var volume = _directory.Combine($"{label}-volume");
        var relative = Path.GetRelativePath(mount.Target, path);
        return relative == "." ? volume : Path.Combine(volume, relative);
    }

    /// <summary>The example's fixture (model.onnx, tensors; `make examples` writes it), where the volume's host side would be.</summary>
    private string CopyExampleFixture()
    {
        var fixture = System.IO.Directory.CreateDirectory(_directory.Combine("fixture")).FullName;
        foreach (var file in System.IO.Directory.GetFiles(Repository.WasiNnFixture))
        {
            File.Copy(file, Path.Combine(fixture, Path.GetFileName(file)));
        }

        return fixture;
    }
}

using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Propeller.Testing;

/// <summary>A real Mosquitto broker (Debian's <c>mosquitto</c> package) on a loopback port, for interoperability tests.
/// Anonymous access, no persistence, log to stderr (captured in <see cref="Output"/>).</summary>
public sealed class MosquittoProcess : IAsyncDisposable
{
    public const string BinaryPath = "/usr/sbin/mosquitto";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output = new();

    private MosquittoProcess(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>"127.0.0.1:port", as accepted by <c>MqttClientOptions.ParseAddress</c>.</summary>
    public string Address => $"{Host}:{Port}";

    /// <summary>What Mosquitto logged so far (useful in assertion messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts Mosquitto and waits until its port accepts TCP connections.</summary>
    /// <param name="port">Port to listen on; a free one when null.</param>
    /// <param name="extraConfig">Additional mosquitto.conf lines.</param>
    /// <param name="allowAnonymous">False when <paramref name="extraConfig"/> brings a password file.</param>
    /// <param name="logEverything">Log every packet (for tests' assertion messages); false logs errors and warnings only
    /// (for benchmarks, where writing a line per message would be most of the work measured).</param>
    public static async Task<MosquittoProcess> StartAsync(int? port = null, IEnumerable<string>? extraConfig = null, bool allowAnonymous = true, bool logEverything = true, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(BinaryPath))
        {
            throw new InvalidOperationException(
                $"Mosquitto is not installed ({BinaryPath} is missing). Install it with: apt-get install -y mosquitto mosquitto-clients");
        }

        var listenPort = port ?? FreePort.Get();
        var directory = new TempDirectory("mosquitto");
        var configPath = directory.Combine("mosquitto.conf");
        var config = new List<string>
        {
            $"listener {listenPort} 127.0.0.1",
            allowAnonymous ? "allow_anonymous true" : "allow_anonymous false",
            "persistence false",
            "log_dest stderr",
        };
        config.AddRange(logEverything ? ["log_type all"] : ["log_type error", "log_type warning"]);
        config.AddRange(extraConfig ?? []);
        await File.WriteAllLinesAsync(configPath, config, cancellationToken).ConfigureAwait(false);

        var process = new Process
        {
            StartInfo = new ProcessStartInfo(BinaryPath)
            {
                ArgumentList = { "-c", configPath },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            },
        };
        var mosquitto = new MosquittoProcess(process, directory, listenPort);
        process.ErrorDataReceived += (_, e) => mosquitto.Append(e.Data);
        process.OutputDataReceived += (_, e) => mosquitto.Append(e.Data);
        try
        {
            process.Start();
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            await mosquitto.WaitUntilListeningAsync(listenPort, StartTimeout, cancellationToken).ConfigureAwait(false);
            return mosquitto;
        }
        catch
        {
            await mosquitto.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>mosquitto.conf lines for a second listener speaking MQTT over TLS on 127.0.0.1:<paramref name="port"/>
    /// (for <see cref="StartAsync"/>'s extra lines; wait for it with <see cref="WaitUntilListeningAsync(int, CancellationToken)"/>).</summary>
    /// <param name="requireCertificate">Mutual TLS: clients must present a certificate signed by <paramref name="caFile"/>.</param>
    /// <param name="tlsVersion">Mosquitto's name of the one protocol version it accepts: tlsv1.2 or tlsv1.3.</param>
    public static IEnumerable<string> TlsListener(int port, string caFile, string certificateFile, string keyFile, bool requireCertificate = false, string tlsVersion = "tlsv1.2") =>
    [
        $"listener {port} 127.0.0.1",
        $"cafile {caFile}",
        $"certfile {certificateFile}",
        $"keyfile {keyFile}",
        $"tls_version {tlsVersion}",
        $"require_certificate {(requireCertificate ? "true" : "false")}",
    ];

    /// <summary>Waits until another listener of this broker (such as a <see cref="TlsListener"/>) accepts TCP connections.</summary>
    public Task WaitUntilListeningAsync(int port, CancellationToken cancellationToken = default) => WaitUntilListeningAsync(port, StartTimeout, cancellationToken);

    /// <summary>Kills the broker (abruptly, like a crash) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
        _directory.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilListeningAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Mosquitto exited with code {_process.ExitCode} before listening on port {port}. Output:\n{Output}");
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(Host, port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new TimeoutException($"Mosquitto did not accept connections on port {port} within {timeout.TotalSeconds} s. Output:\n{Output}", ex);
            }
        }
    }
}

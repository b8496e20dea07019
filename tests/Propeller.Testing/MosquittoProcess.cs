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
    /// <param name="logEverything">Log every packet (for tests' assertion messages); false logs errors and warnings only
    /// (for benchmarks, where writing a line per message would be most of the work measured).</param>
    public static async Task<MosquittoProcess> StartAsync(int? port = null, IEnumerable<string>? extraConfig = null, bool logEverything = true, CancellationToken cancellationToken = default)
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
            "allow_anonymous true",
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
            await mosquitto.WaitUntilListeningAsync(cancellationToken).ConfigureAwait(false);
            return mosquitto;
        }
        catch
        {
            await mosquitto.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

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

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Mosquitto exited with code {_process.ExitCode} before listening on port {Port}. Output:\n{Output}");
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(Host, Port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new TimeoutException($"Mosquitto did not accept connections on port {Port} within {StartTimeout.TotalSeconds} s. Output:\n{Output}", ex);
            }
        }
    }
}

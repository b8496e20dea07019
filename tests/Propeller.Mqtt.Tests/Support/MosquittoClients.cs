using System.Diagnostics;
using System.Text;

namespace Propeller.Mqtt.Tests.Support;

/// <summary>Runs Debian's mosquitto_pub and mosquitto_sub command line clients.</summary>
internal static class MosquittoClients
{
    public const string PubPath = "/usr/bin/mosquitto_pub";
    public const string SubPath = "/usr/bin/mosquitto_sub";

    /// <summary>Runs mosquitto_pub to completion and returns its output; throws if it fails.</summary>
    public static async Task<string> PublishAsync(int port, string topic, string payload, int qos = 0, bool retain = false)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topic, "-m", payload, "-q", qos.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (retain)
        {
            args.Add("-r");
        }

        using var process = Start(PubPath, args);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Guard.Within(process.WaitForExitAsync(), "mosquitto_pub to exit");
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto_pub exited with {process.ExitCode}: {Text(output)}");
        }

        return Text(output);
    }

    /// <summary>Starts <c>mosquitto_sub -d -v -C count</c>. Its output is block-buffered into a pipe, so wait for the
    /// subscription on the broker side, not for its "Subscribed" line.</summary>
    public static Subscriber Subscribe(int port, string topic, int qos = 0, int count = 1) =>
        new(Start(SubPath, ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topic, "-q", qos.ToString(System.Globalization.CultureInfo.InvariantCulture), "-C", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", "-v"]));

    private static Process Start(string path, IEnumerable<string> args)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing. Install Mosquitto's clients with: apt-get install -y mosquitto mosquitto-clients");
        }

        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {path}.");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    public sealed class Subscriber : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public Subscriber(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Append(_output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(_output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output => Text(_output);

        /// <summary>Waits for mosquitto_sub to exit after its -C count of messages and returns its lines.</summary>
        public async Task<string[]> WaitForExitAsync()
        {
            await Guard.Within(_process.WaitForExitAsync(), $"mosquitto_sub to receive its messages (output so far: {Output})");
            _process.WaitForExit();
            if (_process.ExitCode != 0)
            {
                throw new InvalidOperationException($"mosquitto_sub exited with {_process.ExitCode}: {Output}");
            }

            return Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
        }
    }
}

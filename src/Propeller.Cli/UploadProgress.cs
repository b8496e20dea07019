using System.Globalization;

namespace Propeller.Cli;

/// <summary>
/// A one-line progress bar on stderr while a module is sent; drawn only when stderr is a terminal
/// (nothing at all when it is redirected to a file or a pipe).
/// </summary>
public sealed class UploadProgress(TextWriter err, string fileName, long total, bool enabled) : IProgress<long>, IDisposable
{
    private const int BarWidth = 30;
    private int _lastPercent = -1;
    private bool _drawn;

    public void Report(long value)
    {
        if (!enabled)
        {
            return;
        }

        var percent = total <= 0 ? 100 : (int)Math.Min(100, value * 100 / total);
        if (percent == _lastPercent)
        {
            return;
        }

        _lastPercent = percent;
        var filled = percent * BarWidth / 100;
        err.Write(string.Create(CultureInfo.InvariantCulture,
            $"\ruploading {fileName} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {percent,3}% {Size(value)} / {Size(total)}"));
        err.Flush();
        _drawn = true;
    }

    public void Dispose()
    {
        if (_drawn)
        {
            err.WriteLine();
            err.Flush();
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
    };
}

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Where a path really leads on this machine, as the kernel walks it (<c>realpath(3)</c> without the
/// libc call): each component in turn, a symbolic link replaced by its target, <c>..</c> taken after the
/// links before it are followed. Components that do not exist are kept as written, so a directory that
/// is not there yet is judged by the place it would be in.
/// </summary>
public static class RealPath
{
    /// <summary>Linux's limit on symlinks in one lookup (MAXSYMLINKS); more means a loop.</summary>
    private const int MaxSymlinks = 40;

    /// <summary>The real path of <paramref name="absolutePath"/>; throws <see cref="IOException"/> for a loop of links.</summary>
    public static string Of(string absolutePath)
    {
        if (!Path.IsPathRooted(absolutePath))
        {
            throw new ArgumentException($"'{absolutePath}' is not an absolute path", nameof(absolutePath));
        }

        var pending = new Stack<string>();
        Push(pending, absolutePath);
        var resolved = new List<string>();
        var links = 0;
        while (pending.TryPop(out var name))
        {
            if (name is "" or ".")
            {
                continue;
            }

            if (name == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = Join([.. resolved, name]);
            if (LinkTarget(candidate) is not { } target)
            {
                resolved.Add(name);
                continue;
            }

            if (++links > MaxSymlinks)
            {
                throw new IOException($"{absolutePath} goes through more than {MaxSymlinks} symbolic links (a loop)");
            }

            if (Path.IsPathRooted(target))
            {
                resolved.Clear();
            }

            Push(pending, target);
        }

        return Join(resolved);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="directory"/> or lies beneath it (both real, absolute).</summary>
    public static bool IsInside(string path, string directory) =>
        directory == "/" || path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);

    private static void Push(Stack<string> pending, string path)
    {
        var components = path.Split('/');
        for (var i = components.Length - 1; i >= 0; i--)
        {
            pending.Push(components[i]);
        }
    }

    private static string Join(IEnumerable<string> components) => "/" + string.Join('/', components);

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not readable as a link here (a component is a file, or not searchable): the runtime, with the
            // same rights, cannot go through it either, so the path stays as written.
            return null;
        }
    }
}

namespace Propeller.Wasm.Wasi;

/// <summary>
/// The sandbox's boundary. Turns a guest path, relative to a directory descriptor, into a location that
/// is inside that descriptor's preopen, or refuses it. The walk is done here, one component at a time,
/// never by the OS: <c>..</c> pops a component and may not pop past the preopen's root; every
/// intermediate component is looked at without following symlinks (lstat) and must be a real directory;
/// a symlink is expanded by reading its text and walking that text from the link's own directory under
/// the same rules, so a link can lead anywhere inside the preopen but nowhere outside it.
/// </summary>
/// <remarks>
/// Errors, chosen to match what wasi-libc and wasmtime users see:
/// <list type="bullet">
/// <item>leaving the preopen — <c>..</c> at the root, an absolute path, a symlink whose text is absolute or
/// whose <c>..</c>s climb above the root — is NOTCAPABLE ("Capabilities insufficient"), also for a symlink
/// to a place that happens to be inside the preopen on the host (link text is not a guest path);</item>
/// <item>more than <see cref="MaxSymlinks"/> symlinks in one lookup (a loop) is LOOP;</item>
/// <item>a missing or non-directory intermediate component is NOENT / NOTDIR; an empty path is NOENT.</item>
/// </list>
/// Race (TOCTOU): the walk checks each component, then the caller hands the resulting host path to the OS
/// (with managed IO there is no openat/O_NOFOLLOW per component). Something else that can change the
/// directory tree at that instant — a host process, or another guest sharing the same preopen on another
/// thread — could swap a checked directory for a symlink between the check and the use and so reach
/// outside. A single guest cannot race itself (its calls are synchronous). Do not share a writable
/// preopen between guests that must be isolated from each other or from the host.
/// </remarks>
internal static class PathResolver
{
    /// <summary>Linux's limit on symlinks in one lookup (MAXSYMLINKS).</summary>
    public const int MaxSymlinks = 40;

    /// <summary>Linux's PATH_MAX: longer guest paths fail with NAMETOOLONG before any host call.</summary>
    public const int MaxPathLength = 4096;

    /// <summary>
    /// Resolves <paramref name="path"/> from <paramref name="start"/>. A symlink as the last component is
    /// followed only when <paramref name="followFinalSymlink"/> (lookupflags SYMLINK_FOLLOW) or when the
    /// path ends with a slash; otherwise the result names the link itself.
    /// </summary>
    public static ResolvedPath Resolve(DirectoryDescriptor start, string path, bool followFinalSymlink)
    {
        if (path.Length == 0)
        {
            throw new WasiErrorException(WasiErrno.Noent);
        }

        if (path.Length > MaxPathLength)
        {
            throw new WasiErrorException(WasiErrno.Nametoolong);
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new WasiErrorException(WasiErrno.Inval);
        }

        if (path[0] == '/')
        {
            throw new WasiErrorException(WasiErrno.Notcapable);
        }

        var root = start.Root;
        var resolved = new List<string>(start.Components);
        var remaining = new Stack<string>();
        var mustBeDirectory = PushComponents(remaining, path);
        var symlinks = 0;
        string? name = null;
        HostFileStatus? status = null;

        while (remaining.TryPop(out var component))
        {
            var isLast = remaining.Count == 0;
            name = null;
            if (component == "..")
            {
                if (resolved.Count == 0)
                {
                    throw new WasiErrorException(WasiErrno.Notcapable);
                }

                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            var hostPath = root.HostPathOf([.. resolved, component]);
            var current = HostFileSystem.TryGetStatus(hostPath, followSymlink: false);
            if (current is { IsSymbolicLink: true } && (!isLast || followFinalSymlink || mustBeDirectory))
            {
                if (++symlinks > MaxSymlinks)
                {
                    throw new WasiErrorException(WasiErrno.Loop);
                }

                var target = ReadLinkText(hostPath);
                if (target.Length == 0)
                {
                    throw new WasiErrorException(WasiErrno.Noent);
                }

                if (target[0] == '/')
                {
                    throw new WasiErrorException(WasiErrno.Notcapable);
                }

                // The link's text continues the walk from the link's directory, ahead of what is left.
                mustBeDirectory |= PushComponents(remaining, target) && isLast;
                continue;
            }

            if (!isLast)
            {
                if (current == null)
                {
                    throw new WasiErrorException(WasiErrno.Noent);
                }

                if (!current.Value.IsDirectory)
                {
                    throw new WasiErrorException(WasiErrno.Notdir);
                }
            }
            else
            {
                name = component;
                status = current;
            }

            resolved.Add(component);
        }

        if (name == null)
        {
            // The path ended on a directory reached through "..", "." or a link to ".": look at it.
            status = HostFileSystem.TryGetStatus(root.HostPathOf(resolved), followSymlink: false);
            mustBeDirectory = true;
        }

        if (mustBeDirectory && status is { IsDirectory: false })
        {
            throw new WasiErrorException(WasiErrno.Notdir);
        }

        return new ResolvedPath(root, resolved, name, status, mustBeDirectory);
    }

    /// <summary>
    /// Pushes <paramref name="path"/>'s components so the first one is on top, dropping empty ones and
    /// <c>.</c>. Returns whether the path insists on a directory (a trailing slash or a final <c>.</c>).
    /// </summary>
    private static bool PushComponents(Stack<string> remaining, string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i].Length > 0 && parts[i] != ".")
            {
                remaining.Push(parts[i]);
            }
        }

        return path.EndsWith('/') || path == "." || path.EndsWith("/.", StringComparison.Ordinal);
    }

    /// <summary>The text of a symlink (readlink); NOENT when it vanished since it was looked at.</summary>
    public static string ReadLinkText(string hostPath) =>
        new FileInfo(hostPath).LinkTarget ?? throw new WasiErrorException(WasiErrno.Noent);
}

namespace Propeller.Cli.Provisioning;

/// <summary>
/// Writes files that hold keys: readable by their owner only (0600), each written whole under a temporary name
/// and then renamed, so a reader never sees half of one. Existing files are replaced only when asked.
/// </summary>
public static class SecretFiles
{
    /// <summary>Refuses before anything is provisioned, so that a refusal leaves no credentials behind on the manager.</summary>
    public static void CheckWritable(IEnumerable<string> paths, bool force)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                throw new CliException(
                    $"{path} is a directory, not a file",
                    ExitCodes.Failure,
                    $"Docker creates a directory when compose mounts a file that does not exist yet; remove it (rmdir {path}) and provision again");
            }

            if (File.Exists(path) && !force)
            {
                throw new CliException(
                    $"{path} exists; provisioning again would replace its keys",
                    ExitCodes.Failure,
                    "--force replaces it (revoke the keys it held with 'propeller-cli credentials revoke'), or --output-dir writes elsewhere");
            }
        }

        // A write that failed after the manager made the keys would lock its API with keys nobody holds.
        foreach (var directory in paths.Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct(StringComparer.Ordinal))
        {
            try
            {
                Directory.CreateDirectory(directory);
                var probe = Path.Combine(directory, $".propeller-write-test-{Guid.NewGuid():N}");
                File.WriteAllText(probe, "");
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write to {directory}: {e.Message}", ExitCodes.Failure, "--output-dir names a directory you can write to");
            }
        }
    }

    public static void Write(string path, string text)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

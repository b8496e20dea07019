using Propeller.Core.Configuration.Toml;

namespace Propeller.Core.Configuration;

/// <summary>
/// One section of a <c>config.toml</c> (upstream's fallback for its environment variables, written by
/// <c>propeller-cli provision</c>) read as settings: in <c>[manager]</c>, <c>http_port = 7070</c> is
/// <c>MANAGER_HTTP_PORT</c>. Integers and booleans become their text, arrays comma-separated lists.
/// </summary>
public sealed class ConfigFile
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private ConfigFile(string path, string section, string prefix)
    {
        Path = path;
        Section = section;
        Prefix = prefix;
    }

    public string Path { get; }

    public string Section { get; }

    /// <summary>What a key gets in front to become its variable, e.g. <c>MANAGER_</c>.</summary>
    public string Prefix { get; }

    /// <summary>
    /// Reads <paramref name="section"/> of the file named by <paramref name="pathVariable"/>, or of
    /// <paramref name="defaultPath"/> when that variable is unset and the file exists; null when there is none.
    /// A file named explicitly must exist; any file must be valid TOML, or this says where it is not.
    /// </summary>
    public static ConfigFile? Load(Func<string, string?> environment, string pathVariable, string defaultPath, string section, string prefix)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var named = environment(pathVariable);
        var path = string.IsNullOrWhiteSpace(named) ? defaultPath : named.Trim();
        if (Directory.Exists(path))
        {
            throw new InvalidSettingException(pathVariable, path, "a TOML file, but it is a directory (Docker makes one when it mounts a file that does not exist: remove it and provision again)");
        }

        if (!File.Exists(path))
        {
            return string.IsNullOrWhiteSpace(named)
                ? null
                : throw new InvalidSettingException(pathVariable, path, "an existing TOML file such as the config.toml of `propeller-cli provision`");
        }

        TomlTable root;
        try
        {
            root = TomlReader.Parse(File.ReadAllText(path));
        }
        catch (TomlException e)
        {
            throw new InvalidSettingException(pathVariable, path, $"valid TOML, but {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidSettingException(pathVariable, path, $"a readable file ({e.Message})");
        }

        var file = new ConfigFile(path, section, prefix);
        TomlTable? table;
        try
        {
            table = root.Table(section);
        }
        catch (InvalidOperationException)
        {
            throw new InvalidSettingException(pathVariable, path, $"a [{section}] table, but '{section}' is a plain key");
        }

        foreach (var key in table?.Keys ?? [])
        {
            if (!table!.TryGetValue(key, out var value))
            {
                continue;
            }

            file._entries[prefix + key.ToUpperInvariant()] = new Entry(key, Text(value, file.Where(key, value)), value.Line, value.Column);
        }

        return file;
    }

    /// <summary>The value of <paramref name="variable"/> in this section, if the file sets it.</summary>
    public bool TryGet(string variable, out string value, out string where)
    {
        if (_entries.TryGetValue(variable, out var entry))
        {
            value = entry.Text;
            where = Where(entry.Key, entry.Line);
            return true;
        }

        value = "";
        where = "";
        return false;
    }

    /// <summary>The variables this file sets, with where, to find keys no setting reads (typos).</summary>
    public IEnumerable<(string Variable, string Where)> Variables => _entries.Select(e => (e.Key, Where(e.Value.Key, e.Value.Line) + $", column {e.Value.Column}"));

    private string Where(string key, TomlValue value) => Where(key, value.Line);

    private string Where(string key, int line) => $"{Path} line {line}, [{Section}] {key}";

    private static string Text(TomlValue value, string where) => value.Value switch
    {
        string text => text,
        long number => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IReadOnlyList<TomlValue> items => string.Join(",", items.Select(item => item.Value is IReadOnlyList<TomlValue> or TomlTable
            ? throw new InvalidSettingException(where, "[…]", "a list of strings or numbers, not of lists or tables")
            : Text(item, where))),
        _ => throw new InvalidSettingException(where, "{…}", "a string, number, boolean or list, not a table"),
    };

    private sealed record Entry(string Key, string Text, int Line, int Column);
}

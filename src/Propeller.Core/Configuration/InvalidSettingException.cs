namespace Propeller.Core.Configuration;

/// <summary>A setting has a value the program cannot use; the message names the variable (or the config file's line) and what it expects.</summary>
public sealed class InvalidSettingException : Exception
{
    public InvalidSettingException(string name, string value, string expected)
        : base($"{name}='{value}' is not valid: expected {expected}")
    {
        Name = name;
    }

    private InvalidSettingException(string name, string message)
        : base(message)
    {
        Name = name;
    }

    public string Name { get; }

    /// <summary>A key of a config file that no setting reads.</summary>
    public static InvalidSettingException UnknownKey(string where, string variable) =>
        new(where, $"{where}: unknown key (it would set {variable}, which is not a setting of this program); see docs/configuration.md");
}

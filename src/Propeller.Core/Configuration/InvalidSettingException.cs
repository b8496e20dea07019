namespace Propeller.Core.Configuration;

/// <summary>A setting has a value the program cannot use; the message names the variable and what it expects.</summary>
public sealed class InvalidSettingException(string name, string value, string expected)
    : Exception($"{name}='{value}' is not valid: expected {expected}")
{
    public string Name { get; } = name;
}

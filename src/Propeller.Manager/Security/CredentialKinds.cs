namespace Propeller.Manager.Security;

/// <summary>The names of <see cref="CredentialKind"/> in the API and the database.</summary>
public static class CredentialKinds
{
    public static string Name(CredentialKind kind) => kind switch
    {
        CredentialKind.Manager => "manager",
        CredentialKind.Proplet => "proplet",
        CredentialKind.Api => "api",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static CredentialKind Parse(string name) => name switch
    {
        "manager" => CredentialKind.Manager,
        "proplet" => CredentialKind.Proplet,
        "api" => CredentialKind.Api,
        _ => throw new FormatException($"unknown credential kind '{name}' in the store"),
    };
}

using System.Reflection;

namespace Propeller.Manager;

public static class ManagerVersion
{
    public static string Current { get; } =
        typeof(ManagerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

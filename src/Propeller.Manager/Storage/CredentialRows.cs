using System.Data.Common;
using Propeller.Manager.Security;

namespace Propeller.Manager.Storage;

/// <summary>The <c>credentials</c> table's columns as both stores select them, and a row read back.</summary>
internal static class CredentialRows
{
    public const string Select = "SELECT id, kind, domain_id, channel_id, key_hash, created_at, revoked_at FROM credentials ORDER BY created_at, id";

    public static Credential Read(DbDataReader row) => new(
        row.GetString(0),
        CredentialKinds.Parse(row.GetString(1)),
        row.GetString(2),
        row.GetString(3),
        row.GetString(4),
        new DateTime(row.GetInt64(5), DateTimeKind.Utc),
        row.IsDBNull(6) ? null : new DateTime(row.GetInt64(6), DateTimeKind.Utc));
}

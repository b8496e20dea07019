using Npgsql;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tests.Storage;

/// <summary>MANAGER_POSTGRES_URL as users write it.</summary>
public sealed class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("postgres://propeller:secret@db.example.test:6543/tasks?sslmode=disable")]
    [InlineData("postgresql://propeller:secret@db.example.test:6543/tasks?sslmode=disable")]
    [InlineData("  POSTGRES://propeller:secret@db.example.test:6543/tasks?sslmode=disable  ")]
    public void A_url_becomes_its_parts(string url)
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse(url));

        Assert.Equal("db.example.test", parsed.Host);
        Assert.Equal(6543, parsed.Port);
        Assert.Equal("propeller", parsed.Username);
        Assert.Equal("secret", parsed.Password);
        Assert.Equal("tasks", parsed.Database);
        Assert.Equal(SslMode.Disable, parsed.SslMode);
    }

    [Fact]
    public void User_and_password_are_percent_decoded()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgres://us%40er:p%3As%2Fs%40w%25rd%20x@127.0.0.1/my%20db"));

        Assert.Equal("us@er", parsed.Username);
        Assert.Equal("p:s/s@w%rd x", parsed.Password);
        Assert.Equal("my db", parsed.Database);
    }

    [Fact]
    public void Left_out_parts_keep_npgsql_defaults()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgres://localhost"));

        Assert.Equal("localhost", parsed.Host);
        Assert.Equal(5432, parsed.Port);
        Assert.Null(parsed.Username);
        Assert.Null(parsed.Password);
        Assert.Null(parsed.Database);
        Assert.Equal(SslMode.Prefer, parsed.SslMode);
    }

    [Fact]
    public void An_ipv6_host_loses_its_brackets()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgres://u@[::1]:5433/d"));

        Assert.Equal("::1", parsed.Host);
        Assert.Equal(5433, parsed.Port);
    }

    [Theory]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void Sslmode_takes_the_libpq_names(string value, SslMode expected)
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse($"postgres://u@h/d?sslmode={value}"));

        Assert.Equal(expected, parsed.SslMode);
    }

    [Fact]
    public void Application_name_and_connect_timeout_carry_over()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgres://u@h/d?application_name=propeller%20manager&connect_timeout=7"));

        Assert.Equal("propeller manager", parsed.ApplicationName);
        Assert.Equal(7, parsed.Timeout);
    }

    [Fact]
    public void A_connection_string_passes_as_it_is()
    {
        const string value = "Host=db;Port=6543;Username=propeller;Password=a;Database=tasks";

        Assert.Equal(value, PostgresConnectionString.Parse(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("db.example.test")]
    [InlineData("mysql://u:p@h/d")]
    [InlineData("http://u:p@h/d")]
    [InlineData("postgres:///tasks")]
    [InlineData("postgres://u@h/d?sslmode=sometimes")]
    [InlineData("postgres://u@h/d?target_session_attrs=any")]
    [InlineData("Host=db;Colour=blue")]
    public void Anything_else_is_refused_with_the_expected_form(string value)
    {
        var error = Assert.Throws<FormatException>(() => PostgresConnectionString.Parse(value));

        Assert.Contains("MANAGER_POSTGRES_URL", error.Message, StringComparison.Ordinal);
        Assert.Contains(value.Contains("sslmode", StringComparison.Ordinal) ? "verify-full" : "postgres://user:password@host:5432/database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_url_does_not_show_its_password()
    {
        var error = Assert.Throws<FormatException>(() => PostgresConnectionString.Parse("postgres://u:hunter2@h/d?bogus=1"));

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}

using System.Data.Common;
using AuthKeys.Api.Infrastructure.Configuration;
using Npgsql;

namespace AuthKeys.Api.Infrastructure.Data;

public sealed class DatabaseOptions
{
    public string ConnectionString { get; set; } = "";

    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// One of DATABASE_URL, ConnectionStrings__Default, or the reference's DB_HOST / DB_PORT /
    /// DB_USERNAME / DB_PASSWORD / DB_NAME, in that order of precedence.
    /// </summary>
    internal static void Bind(DatabaseOptions options, EnvironmentReader env)
    {
        options.MigrateOnStartup = env.YesNo("DB_MIGRATE_ON_STARTUP", true);

        NpgsqlConnectionStringBuilder builder;
        if (env.Value("DATABASE_URL") is { } url)
        {
            if (!TryParseUrl(url, out builder))
            {
                env.Problem("DATABASE_URL", "must look like postgres://user:password@host:5432/database");
                return;
            }
        }
        else if (env.Value("ConnectionStrings:Default") is { } connectionString)
        {
            try
            {
                builder = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException)
            {
                env.Problem("ConnectionStrings__Default", "is not a valid PostgreSQL connection string");
                return;
            }
        }
        else
        {
            builder = new NpgsqlConnectionStringBuilder
            {
                Host = env.Value("DB_HOST", "localhost"),
                Port = env.WholeNumber("DB_PORT", 5432, 1, 65535),
                Username = env.Value("DB_USERNAME", "postgres"),
                Password = env.Value("DB_PASSWORD"),
                Database = env.Value("DB_NAME", "authkeys"),
            };
        }

        // NpgsqlConnectionStringBuilder.ContainsKey says whether a keyword exists, not whether it was
        // given; the builder's own output names only what was set, under canonical keywords.
        var given = new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        // Fail fast while PostgreSQL is unreachable: requests get a prompt 503, not a 15 s hang.
        if (!given.ContainsKey("Timeout"))
            builder.Timeout = 5;
        if (!given.ContainsKey("Command Timeout"))
            builder.CommandTimeout = 15;
        // A statement run 5 times on a connection (key and session lookups, the last-used UPDATE,
        // login's queries) is prepared there, so PostgreSQL stops parsing and planning it each time:
        // markedly less database CPU per cache miss. Behind a pooler that cannot
        // keep prepared statements (PgBouncer before 1.21 in transaction mode) set Max Auto Prepare=0.
        if (!given.ContainsKey("Max Auto Prepare"))
            builder.MaxAutoPrepare = 20;
        options.ConnectionString = builder.ConnectionString;
    }

    private static bool TryParseUrl(string url, out NpgsqlConnectionStringBuilder builder)
    {
        builder = new NpgsqlConnectionStringBuilder();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql") || uri.Host.Length == 0)
            return false;
        var userInfo = uri.UserInfo.Split(':', 2);
        builder.Host = uri.Host;
        builder.Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port;
        builder.Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "authkeys";
        if (userInfo[0].Length > 0)
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length > 1)
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts[0].Equals("sslmode", StringComparison.OrdinalIgnoreCase) && parts.Length == 2
                && Enum.TryParse<SslMode>(parts[1], ignoreCase: true, out var sslMode))
                builder.SslMode = sslMode;
        }
        return true;
    }
}

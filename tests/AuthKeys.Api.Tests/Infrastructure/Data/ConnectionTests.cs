using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AuthKeys.Api.Tests.Infrastructure.Data;

public sealed class ConnectionTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    [Theory]
    [InlineData("", 5, 15, 20)] // fail fast while PostgreSQL is unreachable; prepare what runs often
    [InlineData(";Timeout=3;CommandTimeout=7;Max Auto Prepare=0", 3, 7, 0)]
    public async Task ConnectionDefaultsApplyUnlessTheConnectionStringGivesItsOwn(string given, int timeout, int commandTimeout, int maxAutoPrepare)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(api.ConnectionString);
        connectionString.Remove("Timeout"); // the test databases' own setting
        await using var other = new AuthKeysApiFactory { Settings = { ["ConnectionStrings:Default"] = connectionString.ConnectionString + given } };
        var settings = new NpgsqlConnectionStringBuilder(other.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
        Assert.Equal((timeout, commandTimeout, maxAutoPrepare), (settings.Timeout, settings.CommandTimeout, settings.MaxAutoPrepare));
    }

    [Fact]
    public async Task AStatementRunFiveTimesOnAConnectionIsPreparedThere()
    {
        await using var connection = await api.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        for (var i = 0; i < 5; i++)
        {
            await using var lookup = new NpgsqlCommand("SELECT count(*) FROM api_keys WHERE key_hash = $1", connection) { Parameters = { new() { Value = new byte[32] } } };
            await lookup.ExecuteScalarAsync();
        }

        var prepared = await connection.ReadColumnAsync("SELECT statement FROM pg_prepared_statements");
        Assert.Contains(prepared, statement => statement.Contains("FROM api_keys WHERE key_hash", StringComparison.Ordinal));
    }
}

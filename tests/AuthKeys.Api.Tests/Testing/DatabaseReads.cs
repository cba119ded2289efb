using Npgsql;

namespace AuthKeys.Api.Tests.Testing;

public static class DatabaseReads
{
    /// <summary>The first column of every row <paramref name="sql"/> returns, as text.</summary>
    public static async Task<List<string>> ReadColumnAsync(this NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
            values.Add(reader.GetString(0));
        return values;
    }

    /// <summary>Stored keys in bulk, straight into the table (no secrets anyone could send); their ids.</summary>
    public static async Task<List<Guid>> InsertKeysAsync(this NpgsqlConnection db, Guid owner, int count)
    {
        await using var insert = new NpgsqlCommand("""
            INSERT INTO api_keys (id, user_id, name, prefix, key_hash, is_active, created_at, updated_at)
            SELECT gen_random_uuid(), @user, 'bulk-' || i, 'sk_00000000', sha256(convert_to('bulk' || i || @user::text, 'UTF8')), true, now(), now()
            FROM generate_series(1, @count) AS i
            RETURNING id
            """, db);
        insert.Parameters.AddWithValue("user", owner);
        insert.Parameters.AddWithValue("count", count);
        var ids = new List<Guid>(count);
        await using var reader = await insert.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            ids.Add(reader.GetGuid(0));
        return ids;
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthKeys.Api.Infrastructure.Data.Migrations
{
    /// <summary>
    /// Triggers that send a revocation notice (channel <c>authkeys_revocations</c>) for every change
    /// that ends or narrows a cached credential, in the changing transaction: PostgreSQL delivers it
    /// when that transaction commits, and never for one that rolls back. Triggers rather than code,
    /// so a change made directly in SQL reaches every node's caches too. Payloads:
    /// <c>k:&lt;hex SHA-256&gt;</c> (an API key), <c>s:&lt;uuid&gt;</c> (a session), <c>*</c> (everything).
    /// </summary>
    public partial class RevocationNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION authkeys_notify_api_key() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('authkeys_revocations', 'k:' || encode(OLD.key_hash, 'hex'));
                    RETURN NULL;
                END $$;

                CREATE FUNCTION authkeys_notify_session() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('authkeys_revocations', 's:' || OLD.id);
                    RETURN NULL;
                END $$;

                -- Everything of the user that a node may hold: its open sessions and its unrevoked keys.
                CREATE FUNCTION authkeys_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('authkeys_revocations', 's:' || id) FROM sessions WHERE user_id = OLD.id AND revoked_at IS NULL;
                    PERFORM pg_notify('authkeys_revocations', 'k:' || encode(key_hash, 'hex')) FROM api_keys WHERE user_id = OLD.id AND revoked_at IS NULL;
                    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD END;
                END $$;

                CREATE FUNCTION authkeys_notify_everything() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('authkeys_revocations', '*');
                    RETURN NULL;
                END $$;

                -- Any change to a key but its last-used time: what a node caches about a key may depend
                -- on any other column. Named columns rather than a whole-row comparison, so that the
                -- last-used batches (1,000 rows every few seconds) do not even evaluate the trigger: a
                -- whole-row WHEN doubled their time. A test fails when a new column is left out.
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                CREATE TRIGGER api_keys_notify_delete AFTER DELETE ON api_keys FOR EACH ROW
                    EXECUTE FUNCTION authkeys_notify_api_key();

                -- Only what decides whether a session is valid: sessions are also written on every refresh.
                CREATE TRIGGER sessions_notify_update AFTER UPDATE OF revoked_at, user_id ON sessions FOR EACH ROW
                    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.user_id IS DISTINCT FROM NEW.user_id)
                    EXECUTE FUNCTION authkeys_notify_session();
                CREATE TRIGGER sessions_notify_delete AFTER DELETE ON sessions FOR EACH ROW
                    EXECUTE FUNCTION authkeys_notify_session();

                -- Users rows also change on every failed login (the lockout counter): not a revocation.
                CREATE TRIGGER users_notify_update AFTER UPDATE OF is_active, email ON users FOR EACH ROW
                    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.email IS DISTINCT FROM NEW.email)
                    EXECUTE FUNCTION authkeys_notify_user();
                -- Before, while the user's sessions and keys can still be read (the rows cascade away).
                CREATE TRIGGER users_notify_delete BEFORE DELETE ON users FOR EACH ROW
                    EXECUTE FUNCTION authkeys_notify_user();

                CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON api_keys FOR EACH STATEMENT
                    EXECUTE FUNCTION authkeys_notify_everything();
                CREATE TRIGGER sessions_notify_truncate AFTER TRUNCATE ON sessions FOR EACH STATEMENT
                    EXECUTE FUNCTION authkeys_notify_everything();
                CREATE TRIGGER users_notify_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT
                    EXECUTE FUNCTION authkeys_notify_everything();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                DROP TRIGGER api_keys_notify_delete ON api_keys;
                DROP TRIGGER api_keys_notify_truncate ON api_keys;
                DROP TRIGGER sessions_notify_update ON sessions;
                DROP TRIGGER sessions_notify_delete ON sessions;
                DROP TRIGGER sessions_notify_truncate ON sessions;
                DROP TRIGGER users_notify_update ON users;
                DROP TRIGGER users_notify_delete ON users;
                DROP TRIGGER users_notify_truncate ON users;
                DROP FUNCTION authkeys_notify_api_key();
                DROP FUNCTION authkeys_notify_session();
                DROP FUNCTION authkeys_notify_user();
                DROP FUNCTION authkeys_notify_everything();
                """);
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthKeys.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApiKeyRateLimit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "rate_limit_limit",
                table: "api_keys",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "rate_limit_window_seconds",
                table: "api_keys",
                type: "integer",
                nullable: true);

            migrationBuilder.Sql("""
                ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_rate_limit CHECK (
                    (rate_limit_limit IS NULL AND rate_limit_window_seconds IS NULL)
                    OR (rate_limit_limit BETWEEN 1 AND 1000000 AND rate_limit_window_seconds BETWEEN 1 AND 86400));
                """);
            // Every column but last_used_at, updated_at and last_refilled_at is watched (see ApiKeyUsageQuota).
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at, scopes, meta, rolled_from, superseded_by, refill_amount, refill_interval, rate_limit_limit, rate_limit_window_seconds, remaining ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at, OLD.scopes, OLD.meta, OLD.rolled_from, OLD.superseded_by, OLD.refill_amount, OLD.refill_interval, OLD.rate_limit_limit, OLD.rate_limit_window_seconds, OLD.remaining IS NULL)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at, NEW.scopes, NEW.meta, NEW.rolled_from, NEW.superseded_by, NEW.refill_amount, NEW.refill_interval, NEW.rate_limit_limit, NEW.rate_limit_window_seconds, NEW.remaining IS NULL))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at, scopes, meta, rolled_from, superseded_by, refill_amount, refill_interval, remaining ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at, OLD.scopes, OLD.meta, OLD.rolled_from, OLD.superseded_by, OLD.refill_amount, OLD.refill_interval, OLD.remaining IS NULL)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at, NEW.scopes, NEW.meta, NEW.rolled_from, NEW.superseded_by, NEW.refill_amount, NEW.refill_interval, NEW.remaining IS NULL))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                """);

            migrationBuilder.DropColumn(
                name: "rate_limit_limit",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "rate_limit_window_seconds",
                table: "api_keys");
        }
    }
}

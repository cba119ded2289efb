using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthKeys.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApiKeyUsageQuota : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_refilled_at",
                table: "api_keys",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "refill_amount",
                table: "api_keys",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "refill_interval",
                table: "api_keys",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "remaining",
                table: "api_keys",
                type: "integer",
                nullable: true);

            migrationBuilder.Sql("""
                ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_remaining CHECK (remaining BETWEEN 0 AND 1000000000);
                ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_refill CHECK (
                    (refill_amount IS NULL AND refill_interval IS NULL)
                    OR (refill_amount BETWEEN 1 AND 1000000000 AND refill_interval IN ('daily', 'monthly') AND remaining IS NOT NULL));
                """);
            // Every column but last_used_at, updated_at and last_refilled_at is watched; of remaining,
            // only whether there is a quota at all: what a node caches (uses themselves are counted in
            // the database, and must not send a notice each).
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at, scopes, meta, rolled_from, superseded_by, refill_amount, refill_interval, remaining ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at, OLD.scopes, OLD.meta, OLD.rolled_from, OLD.superseded_by, OLD.refill_amount, OLD.refill_interval, OLD.remaining IS NULL)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at, NEW.scopes, NEW.meta, NEW.rolled_from, NEW.superseded_by, NEW.refill_amount, NEW.refill_interval, NEW.remaining IS NULL))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at, scopes, meta, rolled_from, superseded_by ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at, OLD.scopes, OLD.meta, OLD.rolled_from, OLD.superseded_by)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at, NEW.scopes, NEW.meta, NEW.rolled_from, NEW.superseded_by))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                """);

            migrationBuilder.DropColumn(
                name: "last_refilled_at",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "refill_amount",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "refill_interval",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "remaining",
                table: "api_keys");
        }
    }
}

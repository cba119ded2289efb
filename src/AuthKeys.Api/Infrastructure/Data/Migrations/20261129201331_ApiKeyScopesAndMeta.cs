using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthKeys.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApiKeyScopesAndMeta : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "meta",
                table: "api_keys",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "scopes",
                table: "api_keys",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.Sql("""
                ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_scopes CHECK (cardinality(scopes) <= 32);
                ALTER TABLE api_keys ADD CONSTRAINT ck_api_keys_meta CHECK (meta IS NULL OR (jsonb_typeof(meta) = 'object' AND octet_length(meta::text) <= 2048));
                """);
            // Every column but last_used_at and updated_at is watched (see RevocationNotices).
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at, scopes, meta ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at, OLD.scopes, OLD.meta)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at, NEW.scopes, NEW.meta))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                """);

            migrationBuilder.DropColumn(
                name: "meta",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "scopes",
                table: "api_keys");
        }
    }
}

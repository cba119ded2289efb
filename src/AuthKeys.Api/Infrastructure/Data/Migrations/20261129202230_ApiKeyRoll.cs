using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthKeys.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApiKeyRoll : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_api_keys_user_id_name",
                table: "api_keys");

            migrationBuilder.AddColumn<Guid>(
                name: "rolled_from",
                table: "api_keys",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "superseded_by",
                table: "api_keys",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_user_id_name",
                table: "api_keys",
                columns: new[] { "user_id", "name" },
                unique: true,
                filter: "revoked_at IS NULL AND superseded_by IS NULL");

            // Every column but last_used_at and updated_at is watched (see RevocationNotices).
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at, scopes, meta, rolled_from, superseded_by ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at, OLD.scopes, OLD.meta, OLD.rolled_from, OLD.superseded_by)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at, NEW.scopes, NEW.meta, NEW.rolled_from, NEW.superseded_by))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER api_keys_notify_update ON api_keys;
                CREATE TRIGGER api_keys_notify_update
                    AFTER UPDATE OF id, user_id, name, prefix, key_hash, is_active, expires_at, created_at, revoked_at, scopes, meta ON api_keys FOR EACH ROW
                    WHEN ((OLD.id, OLD.user_id, OLD.name, OLD.prefix, OLD.key_hash, OLD.is_active, OLD.expires_at, OLD.created_at, OLD.revoked_at, OLD.scopes, OLD.meta)
                        IS DISTINCT FROM (NEW.id, NEW.user_id, NEW.name, NEW.prefix, NEW.key_hash, NEW.is_active, NEW.expires_at, NEW.created_at, NEW.revoked_at, NEW.scopes, NEW.meta))
                    EXECUTE FUNCTION authkeys_notify_api_key();
                """);

            migrationBuilder.DropIndex(
                name: "ix_api_keys_user_id_name",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "rolled_from",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "superseded_by",
                table: "api_keys");

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_user_id_name",
                table: "api_keys",
                columns: new[] { "user_id", "name" },
                unique: true,
                filter: "revoked_at IS NULL");
        }
    }
}

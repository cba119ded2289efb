using AuthKeys.Api.ApiKeys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthKeys.Api.Infrastructure.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        // last_used_at is rewritten every few seconds for every key in use; free room on each page
        // lets PostgreSQL update in place without touching the indexes (HOT updates).
        builder.HasStorageParameter("fillfactor", 80);
        builder.Property(k => k.Name).HasMaxLength(ApiKeyLimits.NameMaxLength);
        builder.Property(k => k.Prefix).HasMaxLength(ApiKeyFormat.PrefixLength);
        builder.Property(k => k.KeyHash).HasMaxLength(32);
        builder.Property(k => k.IsActive).HasDefaultValue(true);
        builder.Property(k => k.Scopes).HasDefaultValueSql("'{}'");
        builder.Property(k => k.Meta).HasColumnType("jsonb");
        builder.Property(k => k.RefillInterval).HasMaxLength(16);
        builder.HasIndex(k => k.KeyHash).IsUnique();
        // One active key per name and owner; a revoked key frees its name, and so does a rolled one
        // during its grace period (its successor holds the name).
        builder.HasIndex(k => new { k.UserId, k.Name }).IsUnique().HasFilter("revoked_at IS NULL AND superseded_by IS NULL");
        // The key.expiring scan reads only keys still waiting for their notice.
        builder.HasIndex(k => k.ExpiresAt).HasFilter("expiry_notice_sent_at IS NULL AND revoked_at IS NULL AND superseded_by IS NULL");
        builder.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

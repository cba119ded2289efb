using AuthKeys.Api.Accounts;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthKeys.Api.Infrastructure.Data.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        // An erased account takes its history with it.
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(e => e.Type).HasMaxLength(AuditEvent.TypeMaxLength);
        builder.Property(e => e.IpAddress).HasMaxLength(RequestOrigin.MaxLength);
        builder.Property(e => e.UserAgent).HasMaxLength(RequestOrigin.MaxLength);
        builder.Property(e => e.Details).HasColumnType("jsonb");
        // GET /audit pages backwards through one user's events along this index.
        builder.HasIndex(e => new { e.UserId, e.OccurredAt, e.Id }).IsDescending(false, true, true);
        builder.HasIndex(e => e.OccurredAt); // retention purge
    }
}

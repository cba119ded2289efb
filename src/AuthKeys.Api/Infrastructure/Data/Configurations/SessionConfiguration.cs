using AuthKeys.Api.Accounts.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthKeys.Api.Infrastructure.Data.Configurations;

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> builder)
    {
        builder.HasOne(s => s.User).WithMany(u => u.Sessions).HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.UserId);
        builder.Property(s => s.UserAgent).HasMaxLength(Session.DetailMaxLength);
        builder.Property(s => s.IpAddress).HasMaxLength(Session.DetailMaxLength);
        builder.Property(s => s.AuthMethods).HasMaxLength(AuthenticationMethods.MaxLength).HasDefaultValue(AuthenticationMethods.Password);
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> builder)
    {
        builder.Property(t => t.TokenHash).HasMaxLength(32);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.ParentId);
        builder.HasOne(t => t.Session).WithMany(s => s.RefreshTokens).HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

using AuthKeys.Api.Accounts;
using AuthKeys.Api.Accounts.Mfa;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthKeys.Api.Infrastructure.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users", t => t.HasCheckConstraint("ck_users_email_normalized", "email = lower(btrim(email))"));
        builder.Property(u => u.Email).HasMaxLength(UserLimits.EmailMaxLength);
        builder.Property(u => u.Name).HasMaxLength(UserLimits.NameMaxLength);
        builder.Property(u => u.PasswordHash).HasMaxLength(100);
        builder.Property(u => u.IsActive).HasDefaultValue(true);
        builder.HasIndex(u => u.Email).IsUnique();
        builder.Property(u => u.TotpSecret).HasMaxLength(128);
        builder.Property(u => u.PendingTotpSecret).HasMaxLength(128);
    }
}

internal sealed class RecoveryCodeConfiguration : IEntityTypeConfiguration<RecoveryCode>
{
    public void Configure(EntityTypeBuilder<RecoveryCode> builder)
    {
        builder.ToTable("recovery_codes");
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(c => c.CodeHash).HasMaxLength(64);
        builder.HasIndex(c => c.UserId);
    }
}

internal sealed class MfaChallengeConfiguration : IEntityTypeConfiguration<MfaChallenge>
{
    public void Configure(EntityTypeBuilder<MfaChallenge> builder)
    {
        builder.ToTable("mfa_challenges");
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(c => c.TokenHash).HasMaxLength(32);
        builder.HasIndex(c => c.TokenHash).IsUnique();
    }
}

internal sealed class LoginFailureConfiguration : IEntityTypeConfiguration<LoginFailure>
{
    public void Configure(EntityTypeBuilder<LoginFailure> builder)
    {
        builder.ToTable("login_failures");
        builder.HasKey(f => new { f.UserId, f.Address });
        builder.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(f => f.Address).HasMaxLength(LoginFailure.AddressMaxLength);
    }
}

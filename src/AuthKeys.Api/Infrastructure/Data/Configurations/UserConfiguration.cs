using AuthKeys.Api.Accounts;
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

using AuthKeys.Api.Accounts;
using AuthKeys.Api.Accounts.Email;
using AuthKeys.Api.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthKeys.Api.Infrastructure.Data.Configurations;

internal sealed class AccountTokenConfiguration : IEntityTypeConfiguration<AccountToken>
{
    public void Configure(EntityTypeBuilder<AccountToken> builder)
    {
        builder.ToTable("account_tokens");
        builder.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(t => t.Kind).HasMaxLength(TokenKind.MaxLength);
        builder.Property(t => t.TokenHash).HasMaxLength(32);
        builder.Property(t => t.NewEmail).HasMaxLength(UserLimits.EmailMaxLength);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        // Superseding and the per-account limits read one account's tokens of one kind, newest last.
        builder.HasIndex(t => new { t.UserId, t.Kind, t.CreatedAt });
    }
}

internal sealed class MailMessageConfiguration : IEntityTypeConfiguration<MailMessage>
{
    public void Configure(EntityTypeBuilder<MailMessage> builder)
    {
        builder.ToTable("mail_messages");
        // An erased account takes its mail with it, sent or not.
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(m => m.Recipient).HasMaxLength(MailMessage.RecipientMaxLength);
        builder.Property(m => m.Subject).HasMaxLength(MailMessage.SubjectMaxLength);
        builder.Property(m => m.Status).HasMaxLength(16);
        builder.Property(m => m.LastError).HasMaxLength(MailMessage.ErrorMaxLength);
        // The senders' claim query reads only what is due, however many sent rows there are.
        builder.HasIndex(m => m.NextAttemptAt).HasFilter("status = 'pending'");
    }
}

using System.Text.Json;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Secrets;

namespace AuthKeys.Api.Mail;

/// <summary>
/// Queues mail in the caller's unit of work: the message is saved by the caller's SaveChanges, in
/// its transaction, so it goes out exactly when the change that causes it commits, and never for
/// one that rolled back. A sender on some node takes it from there.
/// </summary>
public sealed class MailOutbox(AppDbContext db, SecretSealer sealer, TimeProvider time)
{
    internal const string Purpose = "authkeys mail bodies v1";

    private readonly SecretSealer.Purpose _bodies = sealer.For(Purpose);

    public void Add(Guid? userId, OutgoingMail mail)
    {
        var id = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        db.MailMessages.Add(new MailMessage
        {
            Id = id,
            UserId = userId,
            Recipient = mail.Recipient,
            Subject = mail.Subject,
            SealedBody = _bodies.Seal(id, JsonSerializer.Serialize(new MailBody(mail.Text, mail.Html))),
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }
}

internal sealed record MailBody(string Text, string Html);

/// <summary>Mail not sent yet, sealed under ENCRYPTION_KEY_PREVIOUS, moved under the current key.</summary>
internal sealed class SealedMailBodies(AppDbContext db, SecretSealer sealer)
    : SealedColumn(db, sealer.For(MailOutbox.Purpose), "mail_messages", "sealed_body");

using System.Security.Cryptography;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Secrets;

namespace AuthKeys.Api.Webhooks;

/// <summary>
/// Signing secrets in the Standard Webhooks format, sealed at rest (<see cref="SecretSealer"/>) and
/// bound to their webhook's id, so a secret copied to another row does not open.
/// </summary>
public sealed class WebhookSecrets(SecretSealer sealer)
{
    public const string Purpose = "authkeys webhook signing secrets v1";

    private readonly SecretSealer.Purpose _secrets = sealer.For(Purpose);

    /// <summary>whsec_ and 32 random bytes in base64, as Standard Webhooks and its libraries expect.</summary>
    public static string Generate() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public byte[] Seal(Guid webhookId, string secret) => _secrets.Seal(webhookId, secret);

    /// <summary>Null when it does not open: the encryption key changed since it was sealed, or the row was tampered with.</summary>
    public string? Open(Guid webhookId, byte[] sealedSecret) => _secrets.Open(webhookId, sealedSecret);
}

/// <summary>Webhook secrets sealed under ENCRYPTION_KEY_PREVIOUS, moved under the current key.</summary>
internal sealed class SealedWebhookSecrets(AppDbContext db, SecretSealer sealer)
    : SealedColumn(db, sealer.For(WebhookSecrets.Purpose), "webhooks", "sealed_secret");

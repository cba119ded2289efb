using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Webhooks;

/// <summary>
/// Signing secrets in the Standard Webhooks format, kept encrypted at rest: AES-256-GCM under a key
/// derived (HKDF-SHA256) from WEBHOOK_SECRET_KEY, or JWT_SECRET when that is unset. A copy of the
/// database alone does not reveal them; each is bound to its webhook's id, so a secret copied to
/// another row does not open.
/// </summary>
public sealed class WebhookSecrets
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Purpose = "authkeys webhook signing secrets v1"u8.ToArray();

    private readonly byte[] _key;

    public WebhookSecrets(IOptions<WebhookOptions> webhooks) =>
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, webhooks.Value.SecretKey, 32, info: Purpose);

    /// <summary>whsec_ and 32 random bytes in base64, as Standard Webhooks and its libraries expect.</summary>
    public static string Generate() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public byte[] Seal(Guid webhookId, string secret)
    {
        var plaintext = System.Text.Encoding.UTF8.GetBytes(secret);
        var sealedSecret = new byte[1 + NonceSize + plaintext.Length + TagSize];
        sealedSecret[0] = Version;
        var nonce = sealedSecret.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedSecret.AsSpan(1 + NonceSize, plaintext.Length), sealedSecret.AsSpan(^TagSize), webhookId.ToByteArray());
        return sealedSecret;
    }

    /// <summary>Null when it does not open: the encryption key changed since it was sealed, or the row was tampered with.</summary>
    public string? Open(Guid webhookId, byte[] sealedSecret)
    {
        if (sealedSecret.Length < 1 + NonceSize + TagSize || sealedSecret[0] != Version)
            return null;
        var plaintext = new byte[sealedSecret.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedSecret.AsSpan(1, NonceSize), sealedSecret.AsSpan(1 + NonceSize, plaintext.Length), sealedSecret.AsSpan(^TagSize), plaintext, webhookId.ToByteArray());
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return System.Text.Encoding.UTF8.GetString(plaintext);
    }
}

using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Infrastructure.Secrets;

public sealed class SealingOptions
{
    /// <summary>WEBHOOK_SECRET_KEY, else JWT_SECRET: what every secret stored at rest is sealed under.</summary>
    public byte[] Key { get; set; } = [];

    internal static void Bind(SealingOptions options, EnvironmentReader env)
    {
        if (env.Value("WEBHOOK_SECRET_KEY") is { } key)
        {
            if (Encoding.UTF8.GetByteCount(key) < 32)
                env.Problem("WEBHOOK_SECRET_KEY", "must be at least 32 bytes long");
            else
                options.Key = Encoding.UTF8.GetBytes(key);
        }
        // Else JWT_SECRET, whose own checks stop a start-up without a usable one outside
        // Development; there, without either, what a process seals opens only until it restarts.
        else if (env.Value("JWT_SECRET") is { } jwtSecret && Encoding.UTF8.GetByteCount(jwtSecret) >= 32)
            options.Key = Encoding.UTF8.GetBytes(jwtSecret);
        else
            options.Key = RandomNumberGenerator.GetBytes(32);
    }
}

/// <summary>
/// Secrets that must be readable again (webhook signing secrets, mail bodies holding a link) sealed
/// at rest with AES-256-GCM. Each purpose has its own key, derived (HKDF-SHA256) from the one in
/// <see cref="SealingOptions"/>, and each sealed value is bound to its row's id, so a value copied
/// to another row, or read for another purpose, does not open. A copy of the database alone
/// reveals none of them.
/// </summary>
public sealed class SecretSealer(IOptions<SealingOptions> options)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>A sealer for one purpose; <paramref name="purpose"/> never changes once values are stored.</summary>
    public Purpose For(string purpose) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, options.Value.Key, 32, info: Encoding.UTF8.GetBytes(purpose)));

    public sealed class Purpose(byte[] key)
    {
        public byte[] Seal(Guid boundTo, string plaintext)
        {
            var bytes = Encoding.UTF8.GetBytes(plaintext);
            var sealedValue = new byte[1 + NonceSize + bytes.Length + TagSize];
            sealedValue[0] = Version;
            var nonce = sealedValue.AsSpan(1, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(nonce, bytes, sealedValue.AsSpan(1 + NonceSize, bytes.Length), sealedValue.AsSpan(^TagSize), boundTo.ToByteArray());
            return sealedValue;
        }

        /// <summary>Null when it does not open: the key changed since it was sealed, or the row was tampered with.</summary>
        public string? Open(Guid boundTo, byte[] sealedValue)
        {
            if (sealedValue.Length < 1 + NonceSize + TagSize || sealedValue[0] != Version)
                return null;
            var bytes = new byte[sealedValue.Length - 1 - NonceSize - TagSize];
            try
            {
                using var aes = new AesGcm(key, TagSize);
                aes.Decrypt(sealedValue.AsSpan(1, NonceSize), sealedValue.AsSpan(1 + NonceSize, bytes.Length), sealedValue.AsSpan(^TagSize), bytes, boundTo.ToByteArray());
            }
            catch (AuthenticationTagMismatchException)
            {
                return null;
            }
            return Encoding.UTF8.GetString(bytes);
        }
    }
}

public static class SecretsExtensions
{
    /// <summary>The sealing of secrets stored at rest, under WEBHOOK_SECRET_KEY or JWT_SECRET.</summary>
    public static IServiceCollection AddAuthKeysSecrets(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<SealingOptions>((options, env, _) => SealingOptions.Bind(options, env));
        services.AddSingleton<SecretSealer>();
        return services;
    }
}

using System.Security.Cryptography;
using System.Text;
using AuthKeys.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Infrastructure.Secrets;

public sealed class SealingOptions
{
    /// <summary>ENCRYPTION_KEY, else WEBHOOK_SECRET_KEY, else JWT_SECRET: what every secret stored at rest is sealed under.</summary>
    public byte[] Key { get; set; } = [];

    /// <summary>ENCRYPTION_KEY_PREVIOUS: still opens what it sealed, which is resealed under <see cref="Key"/>.</summary>
    public byte[]? PreviousKey { get; set; }

    internal static void Bind(SealingOptions options, EnvironmentReader env, IHostEnvironment host)
    {
        if ((LongEnough(env, "ENCRYPTION_KEY") ?? LongEnough(env, "WEBHOOK_SECRET_KEY")) is { } key)
            options.Key = key;
        else if (env.Value("JWT_SECRET") is { } jwtSecret && Encoding.UTF8.GetByteCount(jwtSecret) >= 32)
            options.Key = Encoding.UTF8.GetBytes(jwtSecret);
        // In Development alone, what a process seals may open only until it restarts; elsewhere
        // the signing keys are sealed too, and every node must open them.
        else if (host.IsDevelopment())
            options.Key = RandomNumberGenerator.GetBytes(32);
        else if (env.Value("ENCRYPTION_KEY") is null && env.Value("JWT_SECRET") is null)
            env.Problem("ENCRYPTION_KEY", "is required outside Development (at least 32 bytes, e.g. `openssl rand -base64 48`; JWT_SECRET serves when it is unset)");
        options.PreviousKey = LongEnough(env, "ENCRYPTION_KEY_PREVIOUS");
    }

    private static byte[]? LongEnough(EnvironmentReader env, string name)
    {
        if (env.Value(name) is not { } value)
            return null;
        if (Encoding.UTF8.GetByteCount(value) >= 32)
            return Encoding.UTF8.GetBytes(value);
        env.Problem(name, "must be at least 32 bytes long (e.g. `openssl rand -base64 48`)");
        return null;
    }
}

/// <summary>
/// Secrets that must be readable again (webhook signing secrets, mail bodies holding a link) sealed
/// at rest with AES-256-GCM. Each purpose has its own key, derived (HKDF-SHA256) from the one in
/// <see cref="SealingOptions"/>, and each sealed value is bound to its row's id, so a value copied
/// to another row, or read for another purpose, does not open. A copy of the database alone
/// reveals none of them. With ENCRYPTION_KEY_PREVIOUS set, what the previous key sealed still
/// opens, and <see cref="Purpose.Reseal"/> moves it under the current one.
/// </summary>
public sealed class SecretSealer(IOptions<SealingOptions> options)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>A sealer for one purpose; <paramref name="purpose"/> never changes once values are stored.</summary>
    public Purpose For(string purpose) =>
        new(Derive(options.Value.Key, purpose), options.Value.PreviousKey is { } previous ? Derive(previous, purpose) : null);

    /// <summary>Whether a previous key is configured, so that values sealed under it may need resealing.</summary>
    public bool HasPreviousKey => options.Value.PreviousKey is not null;

    private static byte[] Derive(byte[] root, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, root, 32, info: Encoding.UTF8.GetBytes(purpose));

    public sealed class Purpose(byte[] key, byte[]? previousKey)
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
        public string? Open(Guid boundTo, byte[] sealedValue) =>
            Open(key, boundTo, sealedValue) ?? (previousKey is null ? null : Open(previousKey, boundTo, sealedValue));

        /// <summary>The value sealed under the current key if only the previous key opens it; else null (nothing to do, or unreadable).</summary>
        public byte[]? Reseal(Guid boundTo, byte[] sealedValue) =>
            previousKey is null || Open(key, boundTo, sealedValue) is not null ? null
                : Open(previousKey, boundTo, sealedValue) is { } plaintext ? Seal(boundTo, plaintext) : null;

        private static string? Open(byte[] key, Guid boundTo, byte[] sealedValue)
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
    /// <summary>The sealing of secrets stored at rest, under ENCRYPTION_KEY (or WEBHOOK_SECRET_KEY, or JWT_SECRET).</summary>
    public static IServiceCollection AddAuthKeysSecrets(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<SealingOptions>(SealingOptions.Bind);
        services.AddSingleton<SecretSealer>();
        services.AddHostedService<PreviousKeyResealer>();
        return services;
    }
}

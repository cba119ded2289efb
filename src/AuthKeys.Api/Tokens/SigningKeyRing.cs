using System.Security.Cryptography;
using AuthKeys.Api.Infrastructure.Errors;
using AuthKeys.Api.Infrastructure.Secrets;
using AuthKeys.Api.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Api.Tokens;

/// <summary>
/// The keys this node signs and verifies with, as last loaded from <c>signing_keys</c>: which one
/// signs, which ones verify and are published, all decided on the clock at the moment of asking,
/// so a key scheduled to activate does so on every node at the same instant without a reload.
/// Reloaded by <see cref="SigningKeyMaintenance"/> when a node announces a change or the schedule needs the database.
/// </summary>
public sealed partial class SigningKeyRing(SecretSealer sealer, IOptions<TokenOptions> options, TimeProvider time, ILogger<SigningKeyRing> logger)
    : IDatabaseWakeUp, IDisposable
{
    /// <summary>The NOTIFY channel a node signals after changing the keys.</summary>
    public const string NoticeChannel = "authkeys_signing_keys";

    internal const string SealPurpose = "signing-keys";

    /// <summary>The <c>kid</c> of HS256 tokens: the shared secret is not published, but still named.</summary>
    public const string SharedSecretKid = "shared-secret";

    private readonly SecretSealer.Purpose _sealing = sealer.For(SealPurpose);
    private readonly SymmetricSecurityKey? _sharedSecret = options.Value.Secret is { } secret ? new(secret) { KeyId = SharedSecretKid } : null;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile LoadedKey[] _keys = [];

    string IDatabaseWakeUp.Channel => NoticeChannel;

    void IDatabaseWakeUp.Wake()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A reload is already due.
        }
    }

    /// <summary>Until a node announces a change (true) or <paramref name="timeout"/> passes (false).</summary>
    internal Task<bool> WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) => _changed.WaitAsync(timeout, cancellationToken);

    /// <summary>What signs a token issued now; 503 while this node has no usable key (the database unreachable since it started).</summary>
    public SigningCredentials SigningCredentials
    {
        get
        {
            if (!options.Value.SignsWithKeys)
                return new SigningCredentials(_sharedSecret!, SecurityAlgorithms.HmacSha256);
            return Signer()?.Credentials
                ?? throw new ServiceBusyException("The service has no signing key loaded yet; try again shortly.", TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>Whether a token can be issued now.</summary>
    public bool CanSign => !options.Value.SignsWithKeys || Signer() is not null;

    /// <summary>The keys that verify a token naming <paramref name="kid"/>: none for a <c>kid</c> we never issued or withdrew.</summary>
    public IEnumerable<SecurityKey> VerificationKeys(string? kid)
    {
        if (kid == SharedSecretKid && _sharedSecret is not null)
            return [_sharedSecret];
        foreach (var key in _keys)
        {
            if (key.Kid == kid)
                return [key.PublicKey];
        }
        return [];
    }

    /// <summary>Whether a token signed under <paramref name="kid"/> still verifies (a compromised key is gone).</summary>
    public bool Verifies(string kid)
    {
        // On every request presenting a token seen before: no allocation.
        if (kid == SharedSecretKid)
            return _sharedSecret is not null;
        foreach (var key in _keys)
        {
            if (key.Kid == kid)
                return true;
        }
        return false;
    }

    /// <summary>The public keys a consumer needs: upcoming, current, and retired ones whose tokens may still be alive.</summary>
    public IEnumerable<ECDsaSecurityKey> Published
    {
        get
        {
            var keys = _keys;
            var rows = keys.Select(k => k.Row).ToArray();
            for (var i = 0; i < keys.Length; i++)
            {
                if (!(PublishedUntil(rows, i, time.GetUtcNow(), options.Value.LongestTokenLifetime) <= time.GetUtcNow()))
                    yield return keys[i].PublicKey;
            }
        }
    }

    /// <summary>
    /// When the key at <paramref name="index"/> of <paramref name="newestFirst"/> may leave the key
    /// set: the longest token lifetime and the margin after it stopped signing; null while it signs or is to.
    /// </summary>
    internal static DateTimeOffset? PublishedUntil(IReadOnlyList<SigningKey> newestFirst, int index, DateTimeOffset now, TimeSpan longestToken)
    {
        // The next newer key has the earliest activation of the newer ones: this one signed until it.
        var retired = newestFirst[index].RetiredAt
            ?? (index > 0 && newestFirst[index - 1].ActivatesAt <= now ? newestFirst[index - 1].ActivatesAt : null);
        return retired + longestToken + TokenOptions.PublicationMargin;
    }

    /// <summary>
    /// How long until the keys need the database again: the next key due for publication, or a
    /// retired one due to leave the set (its activations and retirements are on the clock alone).
    /// An idle node issues no query until then.
    /// </summary>
    internal TimeSpan UntilNextChange(TimeSpan longest)
    {
        var now = time.GetUtcNow();
        var rows = _keys.Select(k => k.Row).ToArray();
        var due = now + longest;
        if (options.Value.SignsWithKeys && rows.Length > 0 && rows[0].CreatedAt + options.Value.KeyRotationInterval is var rotation && rotation < due)
            due = rotation;
        for (var i = 0; i < rows.Length; i++)
        {
            if (PublishedUntil(rows, i, now, options.Value.LongestTokenLifetime) is { } until && until < due)
                due = until;
        }
        return due - now;
    }

    /// <summary>Newest first: by activation, then by creation.</summary>
    internal static List<SigningKey> Order(IEnumerable<SigningKey> rows) =>
        rows.OrderByDescending(r => r.ActivatesAt).ThenByDescending(r => r.CreatedAt).ToList();

    private LoadedKey? Signer()
    {
        var now = time.GetUtcNow();
        foreach (var key in _keys)
        {
            if (key.Row.ActivatesAt <= now && key.Row.RetiredAt is null)
                return key.Credentials is null ? null : key;
        }
        return null;
    }

    /// <summary>Replaces what this node holds with <paramref name="rows"/>, keeping the key objects it already built.</summary>
    internal void Replace(IEnumerable<SigningKey> rows)
    {
        var known = _keys.ToDictionary(k => k.Row.Id);
        _keys = Order(rows)
            .Select(row => known.TryGetValue(row.Id, out var loaded) ? loaded with { Row = row } : Load(row))
            .ToArray();
    }

    private LoadedKey Load(SigningKey row)
    {
        var publicPart = ECDsa.Create();
        publicPart.ImportSubjectPublicKeyInfo(row.PublicKey, out _);
        SigningCredentials? credentials = null;
        if (_sealing.Open(row.Id, row.SealedPrivateKey) is { } pkcs8)
        {
            var privatePart = ECDsa.Create();
            privatePart.ImportPkcs8PrivateKey(Convert.FromBase64String(pkcs8), out _);
            credentials = new SigningCredentials(new ECDsaSecurityKey(privatePart) { KeyId = row.Kid }, SecurityAlgorithms.EcdsaSha256);
        }
        else
            LogUnopened(logger, row.Kid);
        return new LoadedKey(row, new ECDsaSecurityKey(publicPart) { KeyId = row.Kid }, credentials);
    }

    /// <summary>Whether this node can sign with <paramref name="row"/>: its private part opens under the sealing key.</summary>
    internal bool Opens(SigningKey row) => _sealing.Open(row.Id, row.SealedPrivateKey) is not null;

    /// <summary>A new P-256 key pair as a row: its private part sealed to the row, its <c>kid</c> the public key's thumbprint.</summary>
    internal SigningKey Generate(DateTimeOffset activatesAt)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = Guid.CreateVersion7();
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ecdsa));
        return new SigningKey
        {
            Id = id,
            Kid = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()),
            PublicKey = ecdsa.ExportSubjectPublicKeyInfo(),
            SealedPrivateKey = _sealing.Seal(id, Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey())),
            CreatedAt = time.GetUtcNow(),
            ActivatesAt = activatesAt,
        };
    }

    public void Dispose() => _changed.Dispose();

    internal sealed record LoadedKey(SigningKey Row, ECDsaSecurityKey PublicKey, SigningCredentials? Credentials)
    {
        public string Kid => Row.Kid;
    }

    [LoggerMessage(LogLevel.Critical, "Signing key {Kid} does not open under ENCRYPTION_KEY (nor ENCRYPTION_KEY_PREVIOUS): it verifies but cannot sign")]
    private static partial void LogUnopened(ILogger logger, string kid);
}

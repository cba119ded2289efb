namespace AuthKeys.Api.Tokens;

/// <summary>
/// One ES256 key pair of the service. It is published (in the JWKS) from <see cref="CreatedAt"/>,
/// signs from <see cref="ActivatesAt"/> until a newer key activates, and is published until every
/// token it signed has expired, plus a margin. A compromised key is deleted (it then neither
/// signs nor verifies anywhere).
/// </summary>
public sealed class SigningKey
{
    public Guid Id { get; set; }

    /// <summary>The JWK thumbprint (RFC 7638) of the public key: the tokens' <c>kid</c>.</summary>
    public required string Kid { get; set; }

    public string Algorithm { get; set; } = TokenOptions.Es256;

    /// <summary>The public key as SubjectPublicKeyInfo (DER).</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>The private key as PKCS#8, sealed under ENCRYPTION_KEY and bound to <see cref="Id"/>.</summary>
    public required byte[] SealedPrivateKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ActivatesAt { get; set; }

    /// <summary>When it stopped signing without a successor (the service was switched to HS256).</summary>
    public DateTimeOffset? RetiredAt { get; set; }

    public const int KidMaxLength = 64;
}

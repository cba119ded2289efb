using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Api.Infrastructure.Web;
using FluentValidation;

namespace AuthKeys.Api.ApiKeys;

/// <summary>A key one of your services received, to check.</summary>
/// <param name="Key">The key as sent by the client (any string: malformed ones are NOT_FOUND).</param>
/// <param name="RequiredScopes">Scopes the key must carry, or INSUFFICIENT_SCOPES.</param>
public sealed record VerifyKeyRequest([property: Required, MaxLength(256)] string Key, [property: MaxLength(ApiKeyLimits.MaxScopes)] List<string>? RequiredScopes = null);

internal sealed class VerifyKeyRequestValidator : AbstractValidator<VerifyKeyRequest>
{
    public VerifyKeyRequestValidator()
    {
        RuleFor(r => r.Key).NotNull().WithMessage("Key is required and must be a string.")
            .MaximumLength(256).WithMessage("Key must be at most 256 characters.");
        RuleFor(r => r.RequiredScopes).MustBeScopes();
    }
}

public static class VerifyCodes
{
    public const string Valid = "VALID";
    public const string NotFound = "NOT_FOUND";
    public const string Revoked = "REVOKED";
    public const string Expired = "EXPIRED";
    public const string InsufficientScopes = "INSUFFICIENT_SCOPES";
    public const string RateLimited = "RATE_LIMITED";
    public const string UsageExceeded = "USAGE_EXCEEDED";
}

/// <summary>A key's rate-limit state after this verification.</summary>
public sealed record VerifyRateLimit(int Limit, long Remaining, DateTimeOffset ResetAt);

/// <summary>
/// The verdict on a key. <c>valid</c> is true only for <c>VALID</c>; for <c>NOT_FOUND</c> (unknown,
/// malformed, or another owner's key) every field about the key is null.
/// </summary>
public sealed record VerifyKeyResponse(
    bool Valid, string Code, Guid? KeyId, Guid? OwnerId, string? Name, IReadOnlyList<string>? Scopes, JsonElement? Meta,
    DateTimeOffset? ExpiresAt, int? Remaining, VerifyRateLimit? RateLimit)
{
    public static readonly VerifyKeyResponse NotFound = new(false, VerifyCodes.NotFound, null, null, null, null, null, null, null, null);
}

/// <summary>
/// Verification for the owner's other services, on the key route's own path: the cached identity
/// (no query for a cached key without a quota), the rate limiter, and the quota. Only a VALID answer
/// counts as a use.
/// </summary>
public sealed class KeyVerifier(ApiKeyCache keys, ApiKeyUsageRecorder usage, UsageQuota quota, KeyRateLimiter rates, TimeProvider time)
{
    /// <summary>
    /// The verdict on a key of <paramref name="ownerId"/> (any owner's when null), and only the key
    /// <paramref name="keyId"/> when given: any other is NOT_FOUND.
    /// </summary>
    public async Task<VerifyKeyResponse> VerifyAsync(Guid? ownerId, VerifyKeyRequest request, RequestOrigin origin, CancellationToken cancellationToken, Guid? keyId = null)
    {
        if (!ApiKeyFormat.IsWellFormed(request.Key))
            return VerifyKeyResponse.NotFound;
        Span<byte> hash = stackalloc byte[32];
        ApiKeyFormat.Hash(request.Key, hash);
        var keyHash = ApiKeyHash.From(hash);
        var key = await keys.FindAsync(keyHash, cancellationToken);
        if (key is null || (ownerId is { } owner && key.UserId != owner) || (keyId is { } id && key.KeyId != id))
            return VerifyKeyResponse.NotFound;

        if (await keys.FindDetailsAsync(keyHash, cancellationToken) is not { } details)
            return VerifyKeyResponse.NotFound; // deleted since the lookup above

        var now = time.GetUtcNow();
        // Meta is kept as its JSON text and parsed only for an answer: a parsed copy would double its memory.
        VerifyKeyResponse Answer(string code, int? remaining = null, VerifyRateLimit? rate = null) =>
            new(code == VerifyCodes.Valid, code, key.KeyId, key.UserId, details.Name, key.Scopes, MetaJson.FromStored(details.StoredMeta), key.ExpiresAt, remaining, rate);

        if (!key.IsUsable)
            return Answer(VerifyCodes.Revoked);
        if (key.ExpiresAt <= now)
            return Answer(VerifyCodes.Expired);
        if (request.RequiredScopes is { Count: > 0 } required && !key.HasScopes(required))
            return Answer(VerifyCodes.InsufficientScopes);

        VerifyRateLimit? rateState = null;
        if (key.RateLimit is { } limit)
        {
            var decision = await rates.AcquireAsync(key.KeyId, limit, cancellationToken);
            rateState = new VerifyRateLimit(limit.Limit, decision.Remaining, now.AddSeconds(decision.ResetSeconds));
            if (!decision.Allowed)
                return Answer(VerifyCodes.RateLimited, rate: rateState);
        }
        int? remaining = null;
        if (key.HasQuota)
        {
            var use = await quota.TryUseAsync(key.KeyId, now, origin, cancellationToken);
            if (!use.Allowed)
                return Answer(VerifyCodes.UsageExceeded, 0, rateState);
            remaining = use.Remaining;
        }
        usage.Record(key.KeyId, now);
        return Answer(VerifyCodes.Valid, remaining, rateState);
    }
}

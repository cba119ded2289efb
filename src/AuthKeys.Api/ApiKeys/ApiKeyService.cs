using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthKeys.Api.ApiKeys;

public sealed class ApiKeyService(AppDbContext db, ApiKeyCache cache, AuditLog audit, TimeProvider time)
{
    /// <summary>Null when the owner already has an active key with this name (the database decides, so races cannot duplicate).</summary>
    public async Task<CreatedApiKeyResponse?> CreateAsync(Actor actor, CreateApiKeyRequest request, CancellationToken cancellationToken)
    {
        var userId = actor.UserId;
        var secret = ApiKeyFormat.Generate();
        var now = time.GetUtcNow();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = request.Name.Trim(),
            Prefix = ApiKeyFormat.DisplayPrefix(secret),
            KeyHash = ApiKeyFormat.Hash(secret),
            ExpiresAt = request.ExpiresAt,
            CreatedAt = now,
            UpdatedAt = now,
            Scopes = request.Scopes ?? [],
            Meta = MetaJson.ToStored(request.Meta),
            RateLimitLimit = request.RateLimit?.Limit,
            RateLimitWindowSeconds = request.RateLimit?.WindowSeconds,
            Remaining = request.Remaining,
            RefillAmount = request.Refill?.Amount,
            RefillInterval = request.Refill?.Interval,
            LastRefilledAt = request.Remaining is null ? null : now,
        };
        db.ApiKeys.Add(key);
        audit.Record(EventTypes.KeyCreated, actor, key.Id, details: Described(key));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return null;
        }
        return CreatedApiKeyResponse.From(key, secret, now);
    }

    public async Task<List<ApiKeyResponse>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.UserId == userId)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return keys.ConvertAll(key => ApiKeyResponse.From(key, now));
    }

    /// <summary>Null when the key does not exist or belongs to someone else.</summary>
    public async Task<ApiKeyResponse?> FindAsync(Guid userId, Guid keyId, CancellationToken cancellationToken) =>
        await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == keyId && k.UserId == userId, cancellationToken) is { } key
            ? ApiKeyResponse.From(key, time.GetUtcNow())
            : null;

    public enum ChangeOutcome { Done, NotFound, NotActive, NameTaken, RefillWithoutRemaining }

    /// <summary>Applies the fields present in <paramref name="change"/>; effective on the next request on every node.</summary>
    public async Task<(ChangeOutcome Outcome, ApiKeyResponse? Key)> UpdateAsync(Actor actor, Guid keyId, UpdateApiKeyRequest change, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId && k.UserId == actor.UserId, cancellationToken);
        if (key is null)
            return (ChangeOutcome.NotFound, null);
        // A rolled key lives out its grace unchanged (a new expiry could make it permanent), and an
        // expired one is over: only an active key can change.
        if (key.RevokedAt is not null || key.SupersededBy is not null || key.ExpiresAt <= time.GetUtcNow())
            return (ChangeOutcome.NotActive, null);
        if (change.Has(nameof(change.Name)))
            key.Name = change.Name!.Trim();
        if (change.Has(nameof(change.ExpiresAt)) && key.ExpiresAt != change.ExpiresAt)
            (key.ExpiresAt, key.ExpiryNoticeSentAt) = (change.ExpiresAt, null); // a new expiry gets its own key.expiring
        if (change.Has(nameof(change.Scopes)))
            key.Scopes = change.Scopes ?? [];
        if (change.Has(nameof(change.Meta)))
            key.Meta = MetaJson.ToStored(change.Meta);
        var now = time.GetUtcNow();
        if (change.Has(nameof(change.RateLimit)))
            (key.RateLimitLimit, key.RateLimitWindowSeconds) = (change.RateLimit?.Limit, change.RateLimit?.WindowSeconds);
        if (change.Has(nameof(change.Remaining)))
        {
            key.Remaining = change.Remaining;
            key.LastRefilledAt = change.Remaining is null ? null : now; // an explicit count starts a new period
        }
        if (change.Has(nameof(change.Refill)))
            (key.RefillAmount, key.RefillInterval) = (change.Refill?.Amount, change.Refill?.Interval);
        if (key.RefillAmount is not null && key.Remaining is null)
            return (ChangeOutcome.RefillWithoutRemaining, null);
        key.LastRefilledAt ??= key.Remaining is null ? null : now;
        key.UpdatedAt = now;
        audit.Record(EventTypes.KeyUpdated, actor, key.Id, details: Described(key));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return (ChangeOutcome.NameTaken, null);
        }
        cache.Evict([key.KeyHash]);
        return (ChangeOutcome.Done, ApiKeyResponse.From(key, now));
    }

    public enum RollOutcome { Rolled, NotFound, NotActive, NameTaken }

    /// <summary>
    /// A new secret carrying everything of the old key. With no grace the old key is revoked at once;
    /// with one it keeps working until now + grace, never later than its own expiry, and hands its
    /// name to the new key. One transaction, the old row locked: two rolls of one key cannot both win.
    /// </summary>
    public async Task<(RollOutcome Outcome, RolledApiKeyResponse? Key)> RollAsync(Actor actor, Guid keyId, TimeSpan grace, CancellationToken cancellationToken)
    {
        var userId = actor.UserId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var old = await db.ApiKeys.FromSql($"SELECT * FROM api_keys WHERE id = {keyId} AND user_id = {userId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (old is null)
            return (RollOutcome.NotFound, null);
        var now = time.GetUtcNow();
        if (old.RevokedAt is not null || !old.IsActive || old.ExpiresAt <= now || old.SupersededBy is not null)
            return (RollOutcome.NotActive, null);

        var secret = ApiKeyFormat.Generate();
        var successor = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = old.Name,
            Prefix = ApiKeyFormat.DisplayPrefix(secret),
            KeyHash = ApiKeyFormat.Hash(secret),
            ExpiresAt = old.ExpiresAt,
            CreatedAt = now,
            UpdatedAt = now,
            Scopes = [.. old.Scopes],
            Meta = old.Meta,
            RateLimitLimit = old.RateLimitLimit,
            RateLimitWindowSeconds = old.RateLimitWindowSeconds,
            Remaining = old.Remaining,
            RefillAmount = old.RefillAmount,
            RefillInterval = old.RefillInterval,
            LastRefilledAt = old.LastRefilledAt,
            RolledFrom = old.Id,
        };
        old.UpdatedAt = now;
        if (grace <= TimeSpan.Zero)
        {
            old.RevokedAt = now;
            old.IsActive = false;
        }
        else
        {
            old.SupersededBy = successor.Id;
            old.ExpiresAt = old.ExpiresAt is { } expiry && expiry < now + grace ? expiry : now + grace;
        }
        // The old key gives up its name before the new one takes it (the unique index checks each statement).
        await db.SaveChangesAsync(cancellationToken);
        db.ApiKeys.Add(successor);
        audit.Record(EventTypes.KeyRolled, actor, successor.Id, details: new
        {
            successor.Name, successor.Prefix, rolledFrom = old.Id, oldKeyStopsAt = AuditLog.Format(old.RevokedAt ?? old.ExpiresAt),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return (RollOutcome.NameTaken, null);
        }
        cache.Evict([old.KeyHash]);
        return (RollOutcome.Rolled, RolledApiKeyResponse.From(CreatedApiKeyResponse.From(successor, secret, now), old.Id));
    }

    /// <summary>False when the key does not exist or belongs to someone else. Revoking twice is harmless.</summary>
    public async Task<bool> RevokeAsync(Actor actor, Guid keyId, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId && k.UserId == actor.UserId, cancellationToken);
        if (key is null)
            return false;
        await RevokeAsync(key, actor, Described(key), cancellationToken);
        return true;
    }

    /// <summary>
    /// Revokes the key whose secret is <paramref name="secret"/>, for whoever presents it (a leaked
    /// key found in a repository, say): recorded as the owner's <c>key.revoked</c> with that reason.
    /// </summary>
    public async Task RevokeByHolderAsync(string secret, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsWellFormed(secret))
            return;
        var hash = ApiKeyFormat.Hash(secret);
        if (await db.ApiKeys.SingleOrDefaultAsync(k => k.KeyHash == hash, cancellationToken) is { } key)
            await RevokeAsync(key, new Actor(key.UserId, null, origin), new
            {
                key.Name, key.Prefix, expiresAt = AuditLog.Format(key.ExpiresAt), key.Scopes, reason = "revoked_by_holder",
            }, cancellationToken);
    }

    /// <summary>Revoking twice records nothing the second time; the cache forgets the key either way.</summary>
    private async Task RevokeAsync(ApiKey key, Actor actor, object details, CancellationToken cancellationToken)
    {
        if (key.RevokedAt is null)
        {
            var now = time.GetUtcNow();
            key.RevokedAt = now;
            key.UpdatedAt = now;
            key.IsActive = false;
            audit.Record(EventTypes.KeyRevoked, actor, key.Id, details: details);
            await db.SaveChangesAsync(cancellationToken);
        }
        cache.Evict([key.KeyHash]);
    }

    /// <summary>What a webhook receiver is told of a key besides its id: never its secret or hash.</summary>
    private static object Described(ApiKey key) => new { key.Name, key.Prefix, expiresAt = AuditLog.Format(key.ExpiresAt), key.Scopes };
}

using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Tokens;

/// <summary>
/// Changes to <c>signing_keys</c>, each under one advisory lock so that nodes deciding at the same
/// moment (two started on an empty table, say) take turns and the second sees what the first wrote.
/// After a change the other nodes are told on <see cref="SigningKeyRing.NoticeChannel"/>.
/// </summary>
public sealed partial class SigningKeyStore(AppDbContext db, SigningKeyRing ring, IOptions<TokenOptions> options, TimeProvider time, ILogger<SigningKeyStore> logger)
{
    // Any constant unique among the service's advisory locks.
    private const long LockId = 0x4155_5448_4b45_5953; // "AUTHKEYS"

    /// <summary>
    /// Brings the keys to the schedule: a first key when none signs, the next one published a
    /// rotation interval after the last, keys whose tokens have all expired removed; under HS256
    /// the signing key is retired instead. Then loads them.
    /// </summary>
    public Task MaintainAsync(CancellationToken cancellationToken) => ChangeAsync(rows =>
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        var changed = false;
        var signer = rows.FirstOrDefault(r => r.ActivatesAt <= now && r.RetiredAt is null);
        if (!settings.SignsWithKeys)
        {
            if (signer is not null)
            {
                signer.RetiredAt = now;
                changed = true;
            }
            changed |= Remove(rows.Where(r => r.ActivatesAt > now).ToList());
        }
        else if (signer is not null && !ring.Opens(signer))
        {
            // Sealed under a key this deployment no longer has (ENCRYPTION_KEY changed without
            // ENCRYPTION_KEY_PREVIOUS, or a Development secret that died with its process): no
            // node can sign with it, so it signs no more, and a new key signs at once.
            signer.RetiredAt = now;
            Add(rows, ring.Generate(activatesAt: now));
            LogReplacedUnopened(logger, signer.Kid);
            changed = true;
        }
        else if (signer is null)
        {
            // Nothing can have cached a key set without a signer: the new key signs at once.
            Add(rows, ring.Generate(activatesAt: now));
            changed = true;
        }
        else if (rows[0].CreatedAt + settings.KeyRotationInterval <= now)
        {
            var next = ring.Generate(activatesAt: now + TokenOptions.PublicationMargin);
            Add(rows, next);
            LogPublished(logger, next.Kid, next.ActivatesAt);
            changed = true;
        }
        var ordered = SigningKeyRing.Order(rows);
        changed |= Remove(ordered.Where((_, i) => SigningKeyRing.PublishedUntil(ordered, i, now, settings.LongestTokenLifetime) <= now).ToList());
        return changed;
    }, cancellationToken);

    /// <summary>
    /// <c>rotate-signing-keys --now</c>: every key is deleted and a new one signs at once. Tokens
    /// signed before stop verifying on every node as the notice arrives; consumers see the new
    /// <c>kid</c> when they next fetch the key set (the stock JwtBearer does so on an unknown one).
    /// </summary>
    public async Task<string> RotateNowAsync(CancellationToken cancellationToken)
    {
        SigningKey? fresh = null;
        await ChangeAsync(rows =>
        {
            Remove(rows.ToList());
            fresh = ring.Generate(activatesAt: time.GetUtcNow());
            Add(rows, fresh);
            return true;
        }, cancellationToken);
        return fresh!.Kid;
    }

    /// <summary>Reads the keys again without changing them (a node announced a change).</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken) =>
        ring.Replace(await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken));

    private async Task ChangeAsync(Func<List<SigningKey>, bool> change, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockId})", cancellationToken);
        var rows = SigningKeyRing.Order(await db.SigningKeys.ToListAsync(cancellationToken));
        if (change(rows))
        {
            await db.SaveChangesAsync(cancellationToken);
            // Delivered at the commit, to every node listening (this one included).
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({SigningKeyRing.NoticeChannel}, '')", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        ring.Replace(await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken));
    }

    private void Add(List<SigningKey> rows, SigningKey key)
    {
        db.SigningKeys.Add(key);
        rows.Insert(0, key);
    }

    private bool Remove(List<SigningKey> gone)
    {
        db.SigningKeys.RemoveRange(gone);
        return gone.Count > 0;
    }

    [LoggerMessage(LogLevel.Error, "Signing key {Kid} does not open under the current ENCRYPTION_KEY; a new key signs in its place")]
    private static partial void LogReplacedUnopened(ILogger logger, string kid);

    [LoggerMessage(LogLevel.Information, "Published signing key {Kid}; it signs from {ActivatesAt:O}")]
    private static partial void LogPublished(ILogger logger, string kid, DateTimeOffset activatesAt);
}

/// <summary>The signing keys sealed under ENCRYPTION_KEY_PREVIOUS, moved under the current key.</summary>
internal sealed class SealedSigningKeys(AppDbContext db, SecretSealer sealer)
    : SealedColumn(db, sealer.For(SigningKeyRing.SealPurpose), "signing_keys", "sealed_private_key");

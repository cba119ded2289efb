using AuthKeys.Api.Audit;
using AuthKeys.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Webhooks;

public sealed class WebhookService(AppDbContext db, WebhookSecrets secrets, AuditLog audit, TimeProvider time)
{
    public const int DeliveriesShown = 100;

    /// <summary>Null when the owner already has <see cref="Webhook.MaxPerUser"/> webhooks.</summary>
    public async Task<CreatedWebhookResponse?> CreateAsync(Actor actor, CreateWebhookRequest request, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Serialises registrations of one owner, so two at once cannot both pass the count.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {actor.UserId} FOR UPDATE", cancellationToken);
        if (await db.Webhooks.CountAsync(w => w.UserId == actor.UserId, cancellationToken) >= Webhook.MaxPerUser)
            return null;

        var secret = WebhookSecrets.Generate();
        var webhook = new Webhook
        {
            Id = Guid.CreateVersion7(),
            UserId = actor.UserId,
            Url = request.Url,
            Events = [.. request.Events],
            SealedSecret = [],
            CreatedAt = time.GetUtcNow(),
        };
        webhook.SealedSecret = secrets.Seal(webhook.Id, secret);
        db.Webhooks.Add(webhook);
        audit.Record(EventTypes.WebhookCreated, actor, details: new { webhookId = webhook.Id, url = webhook.Url });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CreatedWebhookResponse(webhook.Id, webhook.Url, webhook.Events, secret, webhook.CreatedAt);
    }

    public Task<List<WebhookResponse>> ListAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Webhooks.AsNoTracking().Where(w => w.UserId == userId)
            .OrderByDescending(w => w.CreatedAt).ThenByDescending(w => w.Id)
            .Select(w => new WebhookResponse(w.Id, w.Url, w.Events, w.CreatedAt))
            .ToListAsync(cancellationToken);

    /// <summary>False when it is not a webhook of the caller. Its pending deliveries go with it.</summary>
    public async Task<bool> DeleteAsync(Actor actor, Guid webhookId, CancellationToken cancellationToken)
    {
        var webhook = await db.Webhooks.SingleOrDefaultAsync(w => w.Id == webhookId && w.UserId == actor.UserId, cancellationToken);
        if (webhook is null)
            return false;
        db.Webhooks.Remove(webhook);
        audit.Record(EventTypes.WebhookDeleted, actor, details: new { webhookId = webhook.Id, url = webhook.Url });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The latest deliveries, newest first; null when it is not a webhook of the caller.</summary>
    public async Task<List<WebhookDeliveryResponse>?> DeliveriesAsync(Guid userId, Guid webhookId, CancellationToken cancellationToken)
    {
        if (!await db.Webhooks.AnyAsync(w => w.Id == webhookId && w.UserId == userId, cancellationToken))
            return null;
        return await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhookId)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(DeliveriesShown)
            .Select(d => new WebhookDeliveryResponse(d.Id, d.EventType, d.Status, d.Attempts, d.LastStatusCode, d.LastAttemptAt, d.NextAttemptAt))
            .ToListAsync(cancellationToken);
    }
}

using System.ComponentModel.DataAnnotations;
using AuthKeys.Api.Audit;
using FluentValidation;

namespace AuthKeys.Api.Webhooks;

/// <summary>A new webhook.</summary>
/// <param name="Url">Where events are posted: an https URL on a public address.</param>
/// <param name="Events">What to send: one or more of key.created, key.updated, key.rolled, key.revoked, key.expiring, key.usage_exceeded, auth.refresh.reuse_detected, auth.login.locked, password.changed, password.reset, email.changed, mfa.enabled, mfa.disabled.</param>
public sealed record CreateWebhookRequest(
    [property: Required, MinLength(1), MaxLength(Webhook.UrlMaxLength)] string Url,
    [property: Required, MinLength(1)] List<string> Events);

internal sealed class CreateWebhookRequestValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookRequestValidator()
    {
        RuleFor(r => r.Url).NotEmpty().WithMessage("Url is required.")
            .MaximumLength(Webhook.UrlMaxLength).WithMessage($"Url must be at most {Webhook.UrlMaxLength} characters.");
        // Stop at the first failure: the checks after NotEmpty read the list, which may be missing.
        RuleFor(r => r.Events).NotEmpty().WithMessage("Events must name at least one event.")
            .Must(events => events.TrueForAll(e => e is not null && EventTypes.SubscribableSet.Contains(e)))
            .WithMessage($"Each event must be one of: {string.Join(", ", EventTypes.Subscribable)}.")
            .Must(events => events.Distinct(StringComparer.Ordinal).Count() == events.Count)
            .WithMessage("Events must be distinct.");
    }
}

/// <summary>A webhook as listed; its secret is shown only when it is created.</summary>
public sealed record WebhookResponse(Guid Id, string Url, List<string> Events, DateTimeOffset CreatedAt)
{
    public static WebhookResponse From(Webhook webhook) => new(webhook.Id, webhook.Url, webhook.Events, webhook.CreatedAt);
}

/// <summary>A new webhook and the secret its deliveries are signed with (Standard Webhooks); store it now, it is not shown again.</summary>
/// <param name="Id">The webhook's id.</param>
/// <param name="Url">Where events are posted.</param>
/// <param name="Events">The events subscribed to.</param>
/// <param name="Secret">Verify each delivery's <c>webhook-signature</c> with it (<c>whsec_</c> and base64).</param>
/// <param name="CreatedAt">When it was registered.</param>
public sealed record CreatedWebhookResponse(Guid Id, string Url, List<string> Events, string Secret, DateTimeOffset CreatedAt);

/// <summary>One event for the webhook and how its delivery went.</summary>
/// <param name="Id">Also the delivery's <c>webhook-id</c> header, the same on every attempt.</param>
/// <param name="EventType">The event delivered, such as <c>key.revoked</c>.</param>
/// <param name="Status"><c>pending</c>, <c>delivered</c> or <c>failed</c> (after the last retry).</param>
/// <param name="Attempts">Attempts made so far (at most 7).</param>
/// <param name="LastStatusCode">The receiver's answer to the last attempt; null when there was none (timeout, connection refused).</param>
/// <param name="LastAttemptAt">When it was last tried; null before the first attempt.</param>
/// <param name="NextAttemptAt">When a pending delivery is tried next; null once delivered or failed.</param>
public sealed record WebhookDeliveryResponse(
    Guid Id, string EventType, string Status, int Attempts, int? LastStatusCode, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt);

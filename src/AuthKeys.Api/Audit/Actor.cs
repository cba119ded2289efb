using System.Security.Claims;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Web;

namespace AuthKeys.Api.Audit;

/// <summary>Who made a change and from where: the account, the session of its JWT (if any), the client.</summary>
public sealed record Actor(Guid UserId, Guid? SessionId, RequestOrigin Origin)
{
    /// <summary>The authenticated caller of <paramref name="context"/>.</summary>
    public static Actor Of(HttpContext context) =>
        new(context.User.GetUserId(),
            context.User.FindFirstValue(AuthClaims.SessionId) is { } session ? Guid.Parse(session) : null,
            RequestOrigin.Of(context));

    /// <summary>A request on behalf of <paramref name="userId"/> before it holds a credential (signup, login).</summary>
    public static Actor Of(Guid userId, HttpContext context) => new(userId, null, RequestOrigin.Of(context));

    /// <summary>A change made by the service itself (a background job).</summary>
    public static Actor Service(Guid userId) => new(userId, null, RequestOrigin.None);
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace IdentityReference;

public sealed class ReferenceDb(DbContextOptions<ReferenceDb> options) : IdentityDbContext<IdentityUser>(options);

public sealed record Health(string Status, DateTimeOffset Timestamp);

public sealed record Me(string Message, string? Email);

[ApiController]
[Route("mvc")]
public sealed class ReferenceController : ControllerBase
{
    [HttpGet("health")]
    public object GetHealth() => new Health("ok", DateTimeOffset.UtcNow);

    [HttpGet("me")]
    [Authorize]
    public object GetMe() => new Me("This is a user-only route", User.Identity?.Name);
}

using System.Security.Claims;
using IdentityReference;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

// ASP.NET Core Identity as its documentation sets it up for an API: MapIdentityApi's bearer
// tokens, EF Core stores on PostgreSQL, nothing tuned. Each route comes twice, as a minimal API
// and as a controller (what AuthKeys uses), each with a health route to compare it with.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddDbContext<ReferenceDb>(o => o.UseNpgsql(builder.Configuration.GetConnectionString("Reference")));
builder.Services.AddAuthorization();
builder.Services.AddIdentityApiEndpoints<IdentityUser>().AddEntityFrameworkStores<ReferenceDb>();
builder.Services.AddControllers();

var app = builder.Build();
using (var scope = app.Services.CreateScope())
    await scope.ServiceProvider.GetRequiredService<ReferenceDb>().Database.EnsureCreatedAsync();

app.UseAuthentication();
app.UseAuthorization();
app.MapIdentityApi<IdentityUser>();
app.MapGet("/health", () => new Health("ok", DateTimeOffset.UtcNow));
app.MapGet("/me", (ClaimsPrincipal user) => new Me("This is a user-only route", user.Identity?.Name)).RequireAuthorization();
app.MapControllers();
await app.RunAsync();

using CeilingApp;
using Microsoft.AspNetCore.Authentication;

// What any controller API with authentication on this stack pays, and nothing more: the slim
// builder, controllers, the authentication and authorization middleware, and one handler that
// hands back a principal built once. No database, no logging per request. AuthKeys' routes are
// reported as a ratio of these (bench/run.sh); the same JSON shapes, so serialization costs alike.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddControllers();
builder.Services.AddAuthentication(CachedPrincipalHandler.Name)
    .AddScheme<AuthenticationSchemeOptions, CachedPrincipalHandler>(CachedPrincipalHandler.Name, null);
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapControllers();
await app.RunAsync();

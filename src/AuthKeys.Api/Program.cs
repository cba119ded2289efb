using AuthKeys.Api.Accounts;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Health;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Data;
using AuthKeys.Api.Infrastructure.Errors;
using AuthKeys.Api.Infrastructure.Observability;
using AuthKeys.Api.Infrastructure.OpenApi;
using AuthKeys.Api.Infrastructure.Secrets;
using AuthKeys.Api.Infrastructure.Web;
using AuthKeys.Api.Mail;
using AuthKeys.Api.Nodes;
using AuthKeys.Api.OAuth;
using AuthKeys.Api.Protected;
using AuthKeys.Api.RateLimiting;
using AuthKeys.Api.Tokens;
using AuthKeys.Api.Webhooks;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

// The slim builder leaves out what this service never uses (IIS, HTTP/3, EventSource and Debug
// logging, regex route constraints), which the process would otherwise load and keep in memory.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseKestrelHttpsConfiguration(); // HTTPS endpoints from configuration (Kestrel:Endpoints)
builder.Services.Configure<ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console")); // the slim builder forces the plain formatter

builder.Services.AddAuthKeysWeb();              // controllers, validation, JSON, request logging, PORT
builder.Services.AddAuthKeysTransport();        // trusted proxies, HSTS and HTTPS, the body limit
builder.Services.AddAuthKeysErrors();           // RFC 9457 problem details for every error
builder.Services.AddAuthKeysData();             // PostgreSQL, EF Core, migrations at start-up
builder.Services.AddAuthKeysSecrets();          // secrets sealed at rest (webhook signing secrets, mail bodies)
builder.Services.AddAuthKeysAuthentication();   // the either-scheme policy joining the JWT and x-api-key schemes
builder.Services.AddAuthKeysNodes();            // several nodes: revocation notices, cache trust, the Redis connection
builder.Services.AddAuthKeysRateLimiting();     // per-address limits, shared through Redis
builder.Services.AddAuthKeysTokens();           // ES256 signing keys (generated, sealed, rotated) and the access tokens they sign
builder.Services.AddAuthKeysAccounts();         // signup, login, your account, its address and password reset; sessions and JWTs
builder.Services.AddAuthKeysApiKeys();          // keys, verify, scopes, key limits, the x-api-key scheme
builder.Services.AddAuthKeysOAuth();            // issuer metadata and JWKS, client credentials, introspection, revocation
builder.Services.AddAuthKeysAudit();            // security events in each change's transaction, GET /audit, retention
builder.Services.AddAuthKeysWebhooks();         // signed webhooks through a transactional outbox
builder.Services.AddAuthKeysMail();             // mail through a transactional outbox, sent over SMTP
builder.Services.AddAuthKeysProtected();        // the three demonstration routes
builder.Services.AddAuthKeysHealth();           // liveness and readiness
builder.Services.AddAuthKeysOpenApi();          // /openapi/v1.json and Swagger UI at /api/docs
builder.Services.AddAuthKeysObservability(builder.Configuration); // OpenTelemetry metrics (GET /metrics) and traces (OTLP)

try
{
    var app = builder.Build();
    if (args is [DatabaseMigrator.Command, ..])
        return await DatabaseMigrator.RunCommandAsync(app.Services);
    if (args is [RotateSigningKeysCommand.Name, ..])
        return await RotateSigningKeysCommand.RunAsync(app.Services, args);

    app.UseSecurityHeaders();
    app.UseHttpLogging();       // outside the error handling: the status logged is the status sent
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseAuthKeysTransport();
    app.UseAuthKeysOpenApi();
    app.UseAuthentication();
    app.UseRateLimiter();
    app.UseAuthorization();
    app.MapControllers();
    app.MapAuthKeysMetrics();

    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is OptionsValidationException or AggregateException { InnerException: OptionsValidationException })
{
    // A bad setting is an operator's typo, not a crash: one line per problem, naming the variable.
    var failures = e is AggregateException aggregate
        ? aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(x => x.Failures)
        : ((OptionsValidationException)e).Failures;
    foreach (var failure in failures)
        await Console.Error.WriteLineAsync($"Invalid configuration: {failure}");
    return 1;
}

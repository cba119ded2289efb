using AuthKeys.Api.Accounts;
using AuthKeys.Api.Accounts.Email;
using AuthKeys.Api.Accounts.Mfa;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.Audit;
using AuthKeys.Api.Mail;
using AuthKeys.Api.Tokens;
using AuthKeys.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace AuthKeys.Api.Infrastructure.Data;

/// <summary>
/// The service's database. After changing an entity or its configuration, add a migration:
/// <code>dotnet ef migrations add NameOfChange -p src/AuthKeys.Api -o Infrastructure/Data/Migrations</code>
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<LoginFailure> LoginFailures => Set<LoginFailure>();

    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    public DbSet<MfaChallenge> MfaChallenges => Set<MfaChallenge>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    public DbSet<AccountToken> AccountTokens => Set<AccountToken>();

    public DbSet<MailMessage> MailMessages => Set<MailMessage>();

    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
}

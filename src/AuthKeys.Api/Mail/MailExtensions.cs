using AuthKeys.Api.Infrastructure.Configuration;
using AuthKeys.Api.Infrastructure.Secrets;
using AuthKeys.Api.Nodes;

namespace AuthKeys.Api.Mail;

public static class MailExtensions
{
    /// <summary>The mail outbox and its sender on this node (SMTP_URL, MAIL_FROM).</summary>
    public static IServiceCollection AddAuthKeysMail(this IServiceCollection services)
    {
        services.AddEnvironmentOptions<MailOptions>((options, env, _) => MailOptions.Bind(options, env));
        services.AddScoped<MailOutbox>();
        services.AddScoped<ISealedValues, SealedMailBodies>();
        services.AddSingleton<MailSender>();
        services.AddHostedService(sp => sp.GetRequiredService<MailSender>());
        services.AddSingleton<IDatabaseWakeUp>(sp => sp.GetRequiredService<MailSender>());
        return services;
    }
}

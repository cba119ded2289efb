using System.Net;
using System.Text.Json;
using AuthKeys.Api.Tests.Testing;
using AuthKeys.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AuthKeys.Api.Tests.Client;

/// <summary>
/// The whole contract through src/AuthKeys.Client as a .NET team would use it: registered with
/// AddAuthKeysClient, injected as IAuthKeysClient, errors read as typed problem details.
/// </summary>
public sealed partial class ShippedClientTests : IAsyncLifetime
{
    private readonly AuthKeysApiFactory api = new() { Settings = { ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true" } };
    private readonly List<ServiceProvider> providers = [];
    private MailCatcher mail = null!;

    public async Task InitializeAsync()
    {
        mail = await MailCatcher.StartAsync();
        api.Settings["SMTP_URL"] = mail.Url;
        await api.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
            await provider.DisposeAsync();
        await api.DisposeAsync();
        await mail.DisposeAsync();
    }

    [Fact]
    public async Task AUserAndTheirServiceRunTheWholeFlow()
    {
        string? accessToken = null;
        var user = Client(o => o.AccessToken = (_, _) => ValueTask.FromResult(accessToken));

        var signup = await user.SignupAsync(new SignupRequest { Email = ApiClientExtensions.NewEmail("client"), Password = ApiClientExtensions.Password, Name = "Client User" });
        Assert.Equal("Bearer", signup.TokenType);
        Assert.Equal("Client User", signup.User.Name);
        accessToken = signup.AccessToken;

        var mine = await user.GetUserOnlyAsync();
        Assert.Equal((CallerType.User, signup.User.Id, null), (mine.User.Type, mine.User.UserId, mine.User.KeyId));
        Assert.Equal(ProtectedResponseAccessType.User, mine.AccessType);

        var created = await user.CreateApiKeyAsync(new CreateApiKeyRequest
        {
            Name = "billing-service",
            Scopes = ["demo:read"],
            RateLimit = new KeyRateLimit { Limit = 100, WindowSeconds = 60 },
            Meta = new Dictionary<string, string> { ["customer"] = "c-42" },
        });
        Assert.Matches("^sk_[0-9a-f]{64}$", created.Key);
        Assert.Equal("c-42", ((JsonElement)created.Meta!).GetProperty("customer").GetString());
        Assert.Contains(await user.ListApiKeysAsync(), k => k.Id == created.Id && k.IsActive && k.RateLimit!.Limit == 100);
        Assert.Equal(["demo:read"], (await user.GetApiKeyAsync(created.Id)).Scopes);

        var service = Client(o => o.ApiKey = created.Key);
        foreach (var call in new Func<Task<ProtectedResponse>>[] { service.GetServiceOnlyAsync, service.GetFlexibleAsync, service.GetScopedAsync })
        {
            var response = await call();
            Assert.Equal((CallerType.Service, signup.User.Id, created.Id), (response.User.Type, response.User.UserId, response.User.KeyId));
            Assert.Equal(ProtectedResponseAccessType.Service, response.AccessType);
        }
        Assert.Equal(CallerType.User, (await user.GetFlexibleAsync()).User.Type);

        var verified = await user.VerifyApiKeyAsync(new VerifyKeyRequest { Key = created.Key, RequiredScopes = ["demo:read"] });
        Assert.Equal((true, "VALID", created.Id), (verified.Valid, verified.Code, verified.KeyId));

        var refreshed = await user.RefreshAsync(new RefreshRequest { RefreshToken = signup.RefreshToken });
        accessToken = refreshed.AccessToken;
        Assert.Equal(signup.User.Email, (await user.GetMeAsync()).User.Email);

        var rolled = await user.RollApiKeyAsync(created.Id, new RollApiKeyRequest { GracePeriodSeconds = 60 });
        Assert.Equal(created.Id, rolled.RolledFrom);
        Assert.Equal(CallerType.Service, (await Client(o => o.ApiKey = rolled.Key).GetServiceOnlyAsync()).User.Type);
        Assert.Equal("API key revoked", (await user.RevokeApiKeyAsync(rolled.Id)).Message);

        var events = (await user.ListEventsAsync(limit: 50, before: null)).Items.Select(e => e.Type).ToArray();
        Assert.Equal(["key.revoked", "key.rolled", "key.created"], events[..3]);
        Assert.Single(await user.ListSessionsAsync());

        await user.LogoutAsync();
        var afterLogout = await Assert.ThrowsAsync<AuthKeysApiException<ProblemDetails>>(user.GetMeAsync);
        Assert.Equal(401, afterLogout.StatusCode);
    }

    [Fact]
    public async Task ErrorsArriveAsTypedProblemDetailsWithTheirHeaders()
    {
        var anonymous = Client(_ => { });
        var email = ApiClientExtensions.NewEmail("client");
        var account = await anonymous.SignupAsync(new SignupRequest { Email = email, Password = ApiClientExtensions.Password });

        var conflict = await Assert.ThrowsAsync<AuthKeysApiException<ProblemDetails>>(() =>
            anonymous.SignupAsync(new SignupRequest { Email = email, Password = ApiClientExtensions.Password }));
        Assert.Equal((409, 409), (conflict.StatusCode, conflict.Result.Status));
        Assert.False(string.IsNullOrEmpty(conflict.Result.Title));

        var service = Client(o => o.ApiKey = "sk_" + new string('0', 64));
        var unauthorized = await Assert.ThrowsAsync<AuthKeysApiException<ProblemDetails>>(service.GetServiceOnlyAsync);
        Assert.Equal((401, 401), (unauthorized.StatusCode, unauthorized.Result.Status));
        Assert.Contains(unauthorized.Headers, h => h.Key.Equals("WWW-Authenticate", StringComparison.OrdinalIgnoreCase));

        var user = Client(o => o.AccessToken = (_, _) => ValueTask.FromResult<string?>(account.AccessToken));
        var invalid = await Assert.ThrowsAsync<AuthKeysApiException<ValidationProblemDetails>>(() =>
            user.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "" }));
        Assert.Equal(400, invalid.Result.Status);
        Assert.Contains(invalid.Result.Errors.Keys, k => k.Equals("name", StringComparison.OrdinalIgnoreCase));

        var missing = await Assert.ThrowsAsync<AuthKeysApiException<ProblemDetails>>(() => user.GetApiKeyAsync(Guid.NewGuid()));
        Assert.Equal(404, missing.Result.Status);
    }

    [Fact]
    public async Task APatchSendsOnlyTheFieldsSetAndClearsTheOnesNamed()
    {
        var user = await SignedInClientAsync();
        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);
        var key = await user.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "patched", Scopes = ["demo:read"], ExpiresAt = expiresAt });

        // Unset properties are not sent (absent = unchanged), so a rename keeps scopes and expiry.
        var renamed = await user.UpdateApiKeyAsync(key.Id, new UpdateApiKeyRequest { Name = "renamed" });
        Assert.Equal("renamed", renamed.Name);
        Assert.Equal(["demo:read"], renamed.Scopes);
        Assert.NotNull(renamed.ExpiresAt);

        var cleared = await user.UpdateApiKeyAsync(key.Id, new UpdateApiKeyRequest().Clearing("expiresAt"));
        Assert.Null(cleared.ExpiresAt);
        Assert.Equal("renamed", cleared.Name);
        Assert.Equal(["demo:read"], cleared.Scopes);
    }

    [Fact]
    public async Task WebhookEventsTravelByTheirNames()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var user = await SignedInClientAsync();

        var webhook = await user.CreateWebhookAsync(new CreateWebhookRequest { Url = receiver.Url, Events = [WebhookEventType.Key_revoked, WebhookEventType.Key_usage_exceeded] });
        Assert.Equal([WebhookEventType.Key_revoked, WebhookEventType.Key_usage_exceeded], (await user.ListWebhooksAsync()).Single().Events);
        var key = await user.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "hooked" });
        await user.RevokeApiKeyAsync(key.Id);

        await receiver.UntilReceivedAsync(1);
        await Poll.UntilAsync(async () => (await user.ListDeliveriesAsync(webhook.Id)).SingleOrDefault()?.Status == WebhookDeliveryResponseStatus.Delivered,
            TimeSpan.FromSeconds(10), "the delivery recorded as delivered");
        await user.DeleteWebhookAsync(webhook.Id);
        Assert.Empty(await user.ListWebhooksAsync());
    }

    [Fact]
    public void ABaseAddressIsRequiredAndMadeADirectory()
    {
        using var none = new ServiceCollection().AddAuthKeysClientFor(_ => { });
        Assert.Throws<OptionsValidationException>(() => none.GetRequiredService<IAuthKeysClient>());

        using var pathed = new ServiceCollection().AddAuthKeysClientFor(o => o.BaseAddress = new Uri("https://auth.example.com/tenant-a"));
        var http = pathed.GetRequiredService<IHttpClientFactory>().CreateClient(typeof(IAuthKeysClient).Name);
        Assert.Equal("https://auth.example.com/tenant-a/", http.BaseAddress!.AbsoluteUri);
    }

    [Fact]
    public async Task AnAddressIsVerifiedAndAForgottenPasswordResetThroughTheClient()
    {
        var email = ApiClientExtensions.NewEmail("client");
        var signup = await Client(_ => { }).SignupAsync(new SignupRequest { Email = email, Password = ApiClientExtensions.Password });
        Assert.False(signup.User.EmailVerified);
        var user = Client(o => o.AccessToken = (_, _) => ValueTask.FromResult<string?>(signup.AccessToken));
        await user.SendVerificationAsync();
        var tooSoon = await Assert.ThrowsAsync<AuthKeysApiException<ProblemDetails>>(user.SendVerificationAsync);
        Assert.Equal(429, tooSoon.StatusCode);

        var anonymous = Client(_ => { });
        var latest = (await mail.UntilReceivedAsync(email, 2)).Last();
        await anonymous.VerifyAsync(new VerifyEmailRequest { Token = MailCatcher.TokenIn(latest) });
        Assert.True((await user.GetMeAsync()).User.EmailVerified);

        await anonymous.ForgotPasswordAsync(new ForgotPasswordRequest { Email = email });
        var reset = (await mail.UntilReceivedAsync(email, 3)).Single(m => m.Subject == "Reset your password");
        var wrong = await Assert.ThrowsAsync<AuthKeysApiException<ValidationProblemDetails>>(() =>
            anonymous.ResetPasswordAsync(new ResetPasswordRequest { Token = "not-a-token", NewPassword = "Violet-Harbour-77" }));
        Assert.True(wrong.Result.Errors.ContainsKey("token"));
        await anonymous.ResetPasswordAsync(new ResetPasswordRequest { Token = MailCatcher.TokenIn(reset), NewPassword = "Violet-Harbour-77" });
        Assert.Equal(401, (await Assert.ThrowsAsync<AuthKeysApiException<ProblemDetails>>(user.GetMeAsync)).StatusCode); // every session ended
        Assert.True((await anonymous.LoginAsync(new LoginRequest { Email = email, Password = "Violet-Harbour-77" })).User.EmailVerified);
    }

    private async Task<IAuthKeysClient> SignedInClientAsync()
    {
        var account = await Client(_ => { }).SignupAsync(new SignupRequest { Email = ApiClientExtensions.NewEmail("client"), Password = ApiClientExtensions.Password });
        return Client(o => o.AccessToken = (_, _) => ValueTask.FromResult<string?>(account.AccessToken));
    }

    private IAuthKeysClient Client(Action<AuthKeysClientOptions> credentials)
    {
        var services = new ServiceCollection();
        services.AddAuthKeysClient(o =>
            {
                o.BaseAddress = api.Server.BaseAddress;
                credentials(o);
            })
            .ConfigurePrimaryHttpMessageHandler(() => api.Server.CreateHandler());
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return provider.GetRequiredService<IAuthKeysClient>();
    }
}

internal static class ServiceCollectionTestExtensions
{
    public static ServiceProvider AddAuthKeysClientFor(this ServiceCollection services, Action<AuthKeysClientOptions> configure)
    {
        services.AddAuthKeysClient(configure);
        return services.BuildServiceProvider();
    }
}

using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Microsoft.Extensions.Logging;

namespace AuthKeys.Api.Tests.Accounts;

public sealed class SignupAndLoginTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task SignupReturns201WithTheUserAndAFreshTokenPair()
    {
        var email = ApiClientExtensions.NewEmail();
        var response = await _client.PostAsJsonAsync(Routes.Signup, new { email, password = "Tangerine-Kite-42", name = "John Doe" });
        var body = await response.ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal(email, body.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("John Doe", body.GetProperty("user").GetProperty("name").GetString());
        Assert.NotEqual(Guid.Empty, body.GetProperty("user").GetProperty("id").GetGuid());
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.Equal(900, body.GetProperty("expiresIn").GetInt32());
        Assert.StartsWith("rt_", body.GetProperty("refreshToken").GetString(), StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task SignupWithoutANameAnswersNameAsNull()
    {
        var response = await _client.PostAsJsonAsync(Routes.Signup, new { email = ApiClientExtensions.NewEmail(), password = "Tangerine-Kite-42" });
        var user = (await response.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("user");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, user.GetProperty("name").ValueKind);
    }

    [Fact]
    public async Task EmailsAreTrimmedAndCaseInsensitive()
    {
        var email = ApiClientExtensions.NewEmail();
        var account = await _client.SignupAsync($"  {email.ToUpperInvariant()} ");
        Assert.Equal(email, account.Email);

        await _client.LoginAsync(email.ToUpperInvariant());
        var again = await _client.PostAsJsonAsync(Routes.Signup, new { email = $" {email} ", password = "Tangerine-Kite-42" });
        await again.ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("not-an-email", "Tangerine-Kite-42", null, "email")]
    [InlineData("a@b", "Tangerine-Kite-42", null, "email")]
    [InlineData("jane@example.com", "short", null, "password")]
    [InlineData("jane@example.com", null, null, "password")]
    [InlineData(null, "Tangerine-Kite-42", null, "email")]
    public async Task SignupRejectsInvalidInputNamingTheField(string? email, string? password, string? name, string field)
    {
        var response = await _client.PostAsJsonAsync(Routes.Signup, new { email, password, name });
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task PasswordsOver128CharactersAndNamesOver100AreRejected()
    {
        var tooLong = await _client.PostAsJsonAsync(Routes.Signup, new { email = ApiClientExtensions.NewEmail(), password = new string('p', 129) });
        Assert.True((await tooLong.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("password", out _));
        var longName = await _client.PostAsJsonAsync(Routes.Signup, new { email = ApiClientExtensions.NewEmail(), password = "Tangerine-Kite-42", name = new string('n', 101) });
        Assert.True((await longName.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("name", out _));
        await _client.SignupAsync(password: new string('p', 128));
    }

    [Fact]
    public async Task EveryCharacterOfALongPasswordCounts()
    {
        // bcrypt alone reads 72 bytes: these two passwords differ only after byte 72.
        var password = new string('a', 100) + "1";
        var account = await _client.SignupAsync(password: password);
        var wrong = await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = new string('a', 100) + "2" });
        await wrong.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await _client.LoginAsync(account.Email, password);
    }

    [Fact]
    public async Task TwentyConcurrentSignupsOfOneEmailGiveOne201AndTheRest409WithoutLoggingErrors()
    {
        var email = ApiClientExtensions.NewEmail("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            _client.PostAsJsonAsync(Routes.Signup, new { email, password = "Tangerine-Kite-42" })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        // A taken email is the caller's mistake: the database's unique-key error must not reach the logs as an error.
        Assert.DoesNotContain(api.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task LoginReturnsTheSignupShape()
    {
        var account = await _client.SignupAsync();
        var body = await _client.LoginAsync(account.Email);
        Assert.Equal(account.UserId, body.GetProperty("user").GetProperty("id").GetGuid());
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.NotEqual(account.RefreshToken, body.GetProperty("refreshToken").GetString());
    }

    [Fact]
    public async Task WrongPasswordAndUnknownEmailGetTheSame401()
    {
        var account = await _client.SignupAsync();
        var wrongPassword = await _client.PostAsJsonAsync(Routes.Login, new { email = account.Email, password = "WrongPassword1" });
        var unknownEmail = await _client.PostAsJsonAsync(Routes.Login, new { email = ApiClientExtensions.NewEmail("ghost"), password = "WrongPassword1" });

        var first = await wrongPassword.ReadProblemAsync(HttpStatusCode.Unauthorized);
        var second = await unknownEmail.ReadProblemAsync(HttpStatusCode.Unauthorized);
        foreach (var field in new[] { "type", "title", "status", "detail" })
            Assert.Equal(first.GetProperty(field).ToString(), second.GetProperty(field).ToString());
        Assert.Equal(first.EnumerateObject().Count(), second.EnumerateObject().Count());
        Assert.Equal("Bearer", wrongPassword.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task AccessTokensCarryTheExpectedClaims()
    {
        var account = await _client.SignupAsync();
        var claims = Jwts.Payload(account.AccessToken);
        Assert.Equal("authkeys-tests", claims.GetProperty("iss").GetString());
        Assert.Equal("authkeys-tests-clients", claims.GetProperty("aud").GetString());
        Assert.Equal(account.UserId.ToString(), claims.GetProperty("sub").GetString());
        Assert.Equal(account.Email, claims.GetProperty("email").GetString());
        Assert.True(Guid.TryParse(claims.GetProperty("sid").GetString(), out _));
        Assert.True(Guid.TryParse(claims.GetProperty("jti").GetString(), out _));
        Assert.Equal(900, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
    }
}

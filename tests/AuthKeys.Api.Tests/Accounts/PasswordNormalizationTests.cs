using System.Net;
using System.Net.Http.Json;
using AuthKeys.Api.Tests.Testing;
using Npgsql;
using BCryptHasher = BCrypt.Net.BCrypt;

namespace AuthKeys.Api.Tests.Accounts;

/// <summary>Passwords are compared in NFKC form, and hashes made before that still verify.</summary>
public sealed class PasswordNormalizationTests(AuthKeysApiFactory api) : IClassFixture<AuthKeysApiFactory>
{
    private const string FullWidth = "Ｔａｎｇｅｒｉｎｅ－Ｋｉｔｅ－４２";
    private const string Ascii = "Tangerine-Kite-42"; // FullWidth in NFKC form

    private readonly HttpClient _client = api.CreateClient();

    private async Task<HttpStatusCode> LoginAsync(string email, string password) =>
        (await _client.PostAsJsonAsync(Routes.Login, new { email, password })).StatusCode;

    [Fact]
    public async Task OnePasswordTypedAsFullWidthOrAsAsciiIsOnePassword()
    {
        var typedWide = await _client.SignupAsync(password: FullWidth);
        var typedAscii = await _client.SignupAsync(password: Ascii);

        Assert.Equal(HttpStatusCode.OK, await LoginAsync(typedWide.Email, Ascii));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(typedWide.Email, FullWidth));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(typedAscii.Email, FullWidth));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(typedAscii.Email, "Ｔａｎｇｅｒｉｎｅ－Ｋｉｔｅ－４３"));
    }

    [Fact]
    public async Task AHashMadeBeforeNormalizationStillVerifies()
    {
        const string typed = "ﬁsh-Tangerine-Kite-42"; // "fish-…" in NFKC form
        var account = await _client.SignupAsync();
        await using (var db = api.OpenDatabase())
        {
            await using var update = new NpgsqlCommand("UPDATE users SET password_hash = $1 WHERE id = $2", db)
            {
                Parameters = { new() { Value = BCryptHasher.EnhancedHashPassword(typed, 4, BCrypt.Net.HashType.SHA384) }, new() { Value = account.UserId } },
            };
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        Assert.Equal(HttpStatusCode.OK, await LoginAsync(account.Email, typed));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(account.Email, account.Password));
    }

    [Fact]
    public async Task ALookAlikeOfACommonPasswordIsRefused()
    {
        var response = await _client.PostAsJsonAsync(Routes.Signup, new { email = ApiClientExtensions.NewEmail(), password = "ｐａｓｓｗｏｒｄ１２３" });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("too common", problem.GetProperty("errors").GetProperty("password")[0].GetString(), StringComparison.Ordinal);
    }
}

using System.Security.Claims;
using System.Text;
using AuthKeys.Api.Accounts.Sessions;
using AuthKeys.Api.ApiKeys;
using AuthKeys.Api.ApiKeys.Limits;
using AuthKeys.Api.Infrastructure.Authentication;
using AuthKeys.Api.Infrastructure.Caching;
using AuthKeys.Api.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthKeys.Benchmarks;

/// <summary>
/// The in-process pieces every authenticated request pays for, so a regression shows up without
/// a server: the key format check and hash, JWT validation (full and cached), the session cache.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const string Secret = "benchmark-secret-that-is-long-enough-for-hs256-0123456789";

    private readonly string _key = ApiKeyFormat.Generate();
    private readonly JsonWebTokenHandler _handler = new();
    private readonly RevocableCache<Guid, object> _sessions = new(TimeSpan.FromMinutes(1), 1000);
    private readonly ValidatedTokenCache _validated = new();
    private readonly Guid _sessionId = Guid.NewGuid();
    private readonly ApiKeyIdentity _keyIdentity = new(Guid.NewGuid(), Guid.NewGuid(), "a@example.com", null, true, [], false, null, null, "bench", null);
    private TokenValidationParameters _parameters = null!;
    private string _token = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret));
        _token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "authkeys",
            Audience = "authkeys-clients",
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["email"] = "a@example.com", ["sid"] = _sessionId.ToString() },
        });
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = "authkeys",
            ValidAudience = "authkeys-clients",
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        };
        _validated.Add(_token, new ValidatedToken(new ClaimsPrincipal(), _sessionId, DateTime.UtcNow.AddHours(1)));
        await _sessions.GetOrLoadAsync(_sessionId, 0, static (_, _) => Task.FromResult<object?>(new object()), CancellationToken.None);
    }

    [Benchmark]
    public bool KeyFormatCheck() => ApiKeyFormat.IsWellFormed(_key);

    [Benchmark]
    public byte[] KeyFormatCheckAndHash() => ApiKeyFormat.IsWellFormed(_key) ? ApiKeyFormat.Hash(_key) : [];

    [Benchmark]
    public ClaimsPrincipal ApiKeyPrincipal() => _keyIdentity.CreatePrincipal();

    [Benchmark]
    public async Task<bool> JwtFullValidation() => (await _handler.ValidateTokenAsync(_token, _parameters)).IsValid;

    [Benchmark]
    public bool JwtCachedLookup() => _validated.TryGet(_token.AsSpan(), out _);

    [Benchmark]
    public ValueTask<object?> SessionCacheHit() =>
        _sessions.GetOrLoadAsync(_sessionId, 0, static (_, _) => Task.FromResult<object?>(null), CancellationToken.None);
}

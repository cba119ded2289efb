using System.Security.Claims;
using System.Security.Cryptography;
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
/// a server: the key format check and hash, JWT validation (full, ES256 and HS256, and cached),
/// ES256 signing (each login and refresh), the session cache.
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
    private readonly ApiKeyIdentity _keyIdentity = new(Guid.NewGuid(), Guid.NewGuid(), "a@example.com", null, true, [], false, null, null);
    private readonly ECDsaSecurityKey _es256Key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "bench" };
    private TokenValidationParameters _parameters = null!;
    private TokenValidationParameters _es256Parameters = null!;
    private string _token = null!;
    private string _es256Token = null!;

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
        _es256Token = _handler.CreateToken(Es256Descriptor());
        _es256Parameters = new TokenValidationParameters
        {
            ValidIssuer = "authkeys",
            ValidAudience = "authkeys-clients",
            IssuerSigningKeyResolver = (_, _, kid, _) => kid == _es256Key.KeyId ? [_es256Key] : [],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidTypes = ["at+jwt"],
        };
        _validated.Add(_token, new ValidatedToken(new ClaimsPrincipal(), _sessionId, null, Guid.NewGuid(), null, "bench", DateTime.UtcNow.AddHours(1)));
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

    /// <summary>What a token not seen before on this node costs under ES256: once per token per node (the cache above remembers it).</summary>
    [Benchmark]
    public async Task<bool> JwtFullValidationEs256() => (await _handler.ValidateTokenAsync(_es256Token, _es256Parameters)).IsValid;

    /// <summary>What every login, refresh and client-credentials token costs to sign.</summary>
    [Benchmark]
    public string Es256Signing() => _handler.CreateToken(Es256Descriptor());

    private SecurityTokenDescriptor Es256Descriptor() => new()
    {
        TokenType = "at+jwt",
        Issuer = "authkeys",
        Audience = "authkeys-clients",
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(_es256Key, SecurityAlgorithms.EcdsaSha256),
        Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["email"] = "a@example.com", ["sid"] = _sessionId.ToString() },
    };

    [Benchmark]
    public bool JwtCachedLookup() => _validated.TryGet(_token.AsSpan(), out _);

    [Benchmark]
    public ValueTask<object?> SessionCacheHit() =>
        _sessions.GetOrLoadAsync(_sessionId, 0, static (_, _) => Task.FromResult<object?>(null), CancellationToken.None);
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AuthKeys.Api.Infrastructure.Observability;

/// <summary>
/// The product's own metrics (meter <c>AuthKeys</c>; Prometheus names start with <c>authkeys_</c>).
/// Every label value comes from a small fixed set: never an email, key, id or path with an id.
/// The two counters every request moves (authentications, cache lookups) are one interlocked
/// increment of a slot that the collector reads when it scrapes (observable counters): a profile
/// of the JWT route put the instrument path (OpenTelemetry's per-measurement tag lookup and
/// aggregation) at about 1% of the request's CPU for them. The rest are ordinary instruments
/// with preallocated tags: lock-free and allocation-free.
/// </summary>
public sealed class AuthKeysMetrics : IDisposable
{
    public const string MeterName = "AuthKeys";
    public const string ActivitySourceName = "AuthKeys";

    /// <summary>Spans of the product's own work (webhook deliveries); requests and SQL come from the instrumentations.</summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private static readonly int Outcomes = Enum.GetValues<AuthOutcome>().Length;

    private readonly Meter _meter;
    private readonly long[] _authentications = new long[Enum.GetValues<AuthScheme>().Length * Outcomes];
    private readonly long[] _cacheLookups = new long[Enum.GetValues<CacheName>().Length * 2]; // [cache * 2 + (hit ? 0 : 1)]
    private readonly Counter<long> _rejections;
    private readonly Histogram<double> _verificationDuration;
    private readonly UpDownCounter<long> _hashQueue;
    private readonly Histogram<double> _hashWait;
    private readonly Counter<long> _revocationNotices;
    private readonly Counter<long> _webhookAttempts;
    private int _listenerUp;

    public AuthKeysMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("authkeys.authentications", ObserveAuthentications, "{authentication}",
            "Authentication attempts by scheme (jwt, api_key) and outcome (success, invalid, expired, revoked, throttled, rate_limited, usage_exceeded).");
        _meter.CreateObservableCounter("authkeys.cache.lookups", ObserveCacheLookups, "{lookup}",
            "Credential cache lookups by cache (api_keys, sessions, access_tokens) and result (hit, miss).");
        _rejections = _meter.CreateCounter<long>("authkeys.rejections", "{request}",
            "Requests refused by a limit: auth_rate_limit, login_lockout, api_key_failures, key_rate_limit, usage_exceeded.");
        _verificationDuration = _meter.CreateHistogram("authkeys.key_verification.duration", "s",
            "POST /keys/verify: time to decide, by code.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FastBuckets });
        _hashQueue = _meter.CreateUpDownCounter<long>("authkeys.password_hash.queue", "{hash}",
            "Password hashes and verifications waiting for a hashing slot.");
        _hashWait = _meter.CreateHistogram("authkeys.password_hash.wait", "s",
            "Time a password hash or verification waited for a hashing slot.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SlowBuckets });
        _revocationNotices = _meter.CreateCounter<long>("authkeys.revocation.notices", "{notice}",
            "Revocation notices received from the database, by kind (key, session, all).");
        _meter.CreateObservableGauge("authkeys.revocation.listener.up", () => Volatile.Read(ref _listenerUp), "{listener}",
            "1 while this node listens for revocation notices, 0 while it may be missing them.");
        _webhookAttempts = _meter.CreateCounter<long>("authkeys.webhook.attempts", "{attempt}",
            "Webhook delivery attempts by outcome (delivered, retrying, failed: the last attempt failed).");
    }

    private static readonly double[] FastBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
    private static readonly double[] SlowBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public void Authenticated(AuthScheme scheme, AuthOutcome outcome) =>
        Interlocked.Increment(ref _authentications[(int)scheme * Outcomes + (int)outcome]);

    public void CacheLookup(CacheName cache, bool hit) =>
        Interlocked.Increment(ref _cacheLookups[(int)cache * 2 + (hit ? 0 : 1)]);

    // Only the combinations that happened, as an ordinary counter shows only what was added.
    private IEnumerable<Measurement<long>> ObserveAuthentications()
    {
        for (var i = 0; i < _authentications.Length; i++)
        {
            if (Volatile.Read(ref _authentications[i]) is var count and > 0)
                yield return new Measurement<long>(count, Tags.Scheme[i / Outcomes], Tags.Outcome[i % Outcomes]);
        }
    }

    private IEnumerable<Measurement<long>> ObserveCacheLookups()
    {
        for (var i = 0; i < _cacheLookups.Length; i++)
        {
            if (Volatile.Read(ref _cacheLookups[i]) is var count and > 0)
                yield return new Measurement<long>(count, Tags.Cache[i / 2], i % 2 == 0 ? Tags.Hit : Tags.Miss);
        }
    }

    public void Rejected(RejectionReason reason) => _rejections.Add(1, Tags.Reason[(int)reason]);

    public void KeyVerified(string code, TimeSpan elapsed) =>
        _verificationDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("code", code)); // codes are the fixed set of VerifyCodes

    public void HashQueued() => _hashQueue.Add(1);

    public void HashStarted(TimeSpan waited)
    {
        _hashQueue.Add(-1);
        _hashWait.Record(waited.TotalSeconds);
    }

    public void RevocationNotice(NoticeKind kind) => _revocationNotices.Add(1, Tags.Notice[(int)kind]);

    public void ListenerState(bool up) => Volatile.Write(ref _listenerUp, up ? 1 : 0);

    public void WebhookAttempt(WebhookOutcome outcome) => _webhookAttempts.Add(1, Tags.Webhook[(int)outcome]);

    public void Dispose() => _meter.Dispose();

    public enum AuthScheme { Jwt, ApiKey }

    public enum AuthOutcome { Success, Invalid, Expired, Revoked, Throttled, RateLimited, UsageExceeded }

    public enum CacheName { ApiKeys, Sessions, AccessTokens }

    public enum RejectionReason { AuthRateLimit, LoginLockout, ApiKeyFailures, KeyRateLimit, UsageExceeded, PasswordHashQueue }

    public enum NoticeKind { Key, Session, All }

    public enum WebhookOutcome { Delivered, Retrying, Failed }

    /// <summary>Every tag this meter records, built once.</summary>
    private static class Tags
    {
        public static readonly KeyValuePair<string, object?>[] Scheme = Of("scheme", "jwt", "api_key");
        public static readonly KeyValuePair<string, object?>[] Outcome = Of("outcome", "success", "invalid", "expired", "revoked", "throttled", "rate_limited", "usage_exceeded");
        public static readonly KeyValuePair<string, object?>[] Cache = Of("cache", "api_keys", "sessions", "access_tokens");
        public static readonly KeyValuePair<string, object?>[] Reason = Of("reason", "auth_rate_limit", "login_lockout", "api_key_failures", "key_rate_limit", "usage_exceeded", "password_hash_queue");
        public static readonly KeyValuePair<string, object?>[] Notice = Of("kind", "key", "session", "all");
        public static readonly KeyValuePair<string, object?>[] Webhook = Of("outcome", "delivered", "retrying", "failed");
        public static readonly KeyValuePair<string, object?> Hit = new("result", "hit");
        public static readonly KeyValuePair<string, object?> Miss = new("result", "miss");

        private static KeyValuePair<string, object?>[] Of(string name, params string[] values) =>
            Array.ConvertAll(values, value => new KeyValuePair<string, object?>(name, value));
    }
}

namespace AuthKeys.Api.Infrastructure.Errors;

/// <summary>
/// A bounded resource is full and the request was not queued, or waited its longest: answered
/// 503 with <c>Retry-After</c>, nothing logged as a failure. The message is shown to the client.
/// </summary>
public sealed class ServiceBusyException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>
/// Counts the SQL commands the service's DbContext sends on behalf of a request (a cache load it
/// starts included), so tests can prove a path does no I/O or one query. Background work (the
/// last-used flush, the signing keys' reload, retention) runs outside any request and does not
/// count: on a slow machine it would land inside a test's window.
/// </summary>
public sealed class SqlCommandCounter : DbCommandInterceptor
{
    // The accessor's context flows with the request's execution context (the factory registers it).
    private readonly HttpContextAccessor _requests = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    private void CountIfOnARequest()
    {
        if (_requests.HttpContext is not null)
            Interlocked.Increment(ref _count);
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        CountIfOnARequest();
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        CountIfOnARequest();
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        CountIfOnARequest();
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }
}

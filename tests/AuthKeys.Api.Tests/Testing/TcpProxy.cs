using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AuthKeys.Api.Tests.Testing;

/// <summary>
/// A loopback TCP relay in front of PostgreSQL. <see cref="Cut"/> makes the database unreachable
/// for the service (existing connections drop, new ones are refused) without disturbing the
/// server other test classes share; <see cref="Restore"/> brings it back. <see cref="Freeze"/> is
/// the silent kind of outage, a network partition: connections stay open and nothing arrives.
/// </summary>
public sealed class TcpProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _targetHost;
    private readonly int _targetPort;
    private volatile bool _cut;
    private volatile bool _frozen;

    private TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpProxy Start(string targetHost, int targetPort)
    {
        var proxy = new TcpProxy(targetHost, targetPort);
        proxy._listener.Start();
        _ = proxy.AcceptLoopAsync();
        return proxy;
    }

    public void Cut()
    {
        _cut = true;
        foreach (var client in _open.Keys)
            client.Dispose();
        _open.Clear();
    }

    /// <summary>Bytes in either direction are dropped from now on; no connection is closed.</summary>
    public void Freeze() => _frozen = true;

    public void Restore()
    {
        _cut = false;
        _frozen = false;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (_cut)
            {
                inbound.Dispose();
                continue;
            }
            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
            _open[inbound] = 0;
            _open[outbound] = 0;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var up = PumpAsync(inbound.GetStream(), outbound.GetStream(), linked.Token);
            var down = PumpAsync(outbound.GetStream(), inbound.GetStream(), linked.Token);
            await Task.WhenAny(up, down);
            await linked.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The relay ends when either side goes away.
        }
        finally
        {
            _open.TryRemove(inbound, out _);
            _open.TryRemove(outbound, out _);
            inbound.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (!_frozen)
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        Cut();
        _stopping.Dispose();
    }
}

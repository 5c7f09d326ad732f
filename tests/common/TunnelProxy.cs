#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Tests.Support
{
    /// <summary>
    /// A small HTTP CONNECT proxy for tests, the kind an enterprise network puts between InboxPS and Microsoft: it tunnels
    /// TLS byte for byte (it sees host names, never content), can demand Basic Proxy-Authorization (407 until it gets the
    /// right user name and password), and logs every CONNECT target, so a test can prove which requests went through it.
    /// Shared by the xunit tests (a linked file) and the Pester tests (Add-Type), so both test the same proxy.
    /// </summary>
    public sealed class TunnelProxy : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly string? _expectedAuthorization;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentQueue<string> _tunnels = new ConcurrentQueue<string>();
        private readonly ConcurrentQueue<string> _refused = new ConcurrentQueue<string>();
        private readonly ConcurrentQueue<string> _authorizations = new ConcurrentQueue<string>();

        /// <param name="userName">With <paramref name="password"/>: the proxy answers 407 to any CONNECT without them.</param>
        public TunnelProxy(string? userName = null, string? password = null)
        {
            if (userName is not null)
            {
                _expectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(userName + ":" + password));
            }

            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Address = new Uri("http://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port + "/");
            _ = Task.Run(AcceptAsync);
        }

        /// <summary>Where clients send their CONNECT requests: http://127.0.0.1:PORT/.</summary>
        public Uri Address { get; }

        /// <summary>Every tunnel opened, as its CONNECT target (host:port), in order.</summary>
        public IReadOnlyList<string> Tunnels => _tunnels.ToArray();

        /// <summary>Every CONNECT answered 407, as its target.</summary>
        public IReadOnlyList<string> Refused => _refused.ToArray();

        /// <summary>Every Proxy-Authorization header received, exactly as sent (for tests that check what crossed the wire).</summary>
        public IReadOnlyList<string> Authorizations => _authorizations.ToArray();

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException)
                {
                    continue;
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();

                    // A client may ask again on the same connection after a 407, now with credentials.
                    while (!_stop.IsCancellationRequested)
                    {
                        var head = await ReadHeadAsync(stream).ConfigureAwait(false);
                        if (head is null)
                        {
                            return;
                        }

                        var lines = head.Split(new[] { "\r\n" }, StringSplitOptions.None);
                        var parts = lines[0].Split(' ');
                        if (parts.Length < 3 || !string.Equals(parts[0], "CONNECT", StringComparison.OrdinalIgnoreCase))
                        {
                            await WriteAsync(stream, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").ConfigureAwait(false);
                            return;
                        }

                        var target = parts[1];
                        var authorization = lines.Skip(1)
                            .Where(l => l.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))
                            .Select(l => l.Substring("Proxy-Authorization:".Length).Trim())
                            .FirstOrDefault();
                        if (authorization is not null)
                        {
                            _authorizations.Enqueue(authorization);
                        }

                        if (_expectedAuthorization is not null && authorization != _expectedAuthorization)
                        {
                            _refused.Enqueue(target);
                            await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\n" +
                                "Proxy-Authenticate: Basic realm=\"InboxPS test proxy\"\r\nContent-Length: 0\r\n\r\n").ConfigureAwait(false);
                            continue;
                        }

                        await TunnelAsync(stream, target).ConfigureAwait(false);
                        return;
                    }
                }
                catch (IOException)
                {
                }
                catch (SocketException)
                {
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        private async Task TunnelAsync(NetworkStream clientStream, string target)
        {
            var colon = target.LastIndexOf(':');
            var host = target.Substring(0, colon).Trim('[', ']');
            var port = int.Parse(target.Substring(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
            using var server = new TcpClient();
            try
            {
                await server.ConnectAsync(host, port).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                await WriteAsync(clientStream, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").ConfigureAwait(false);
                return;
            }

            _tunnels.Enqueue(target);
            await WriteAsync(clientStream, "HTTP/1.1 200 Connection Established\r\n\r\n").ConfigureAwait(false);
            var serverStream = server.GetStream();
            var up = PumpAsync(clientStream, serverStream);
            var down = PumpAsync(serverStream, clientStream);
            await Task.WhenAny(up, down).ConfigureAwait(false);
        }

        private async Task PumpAsync(Stream from, Stream to)
        {
            var buffer = new byte[16384];
            try
            {
                int read;
                while ((read = await from.ReadAsync(buffer, 0, buffer.Length, _stop.Token).ConfigureAwait(false)) > 0)
                {
                    await to.WriteAsync(buffer, 0, read, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
            {
            }
        }

        /// <summary>The request line and headers up to the blank line; null when the client closed the connection.</summary>
        private static async Task<string?> ReadHeadAsync(Stream stream)
        {
            var head = new StringBuilder();
            var one = new byte[1];
            while (head.Length < 16384)
            {
                if (await stream.ReadAsync(one, 0, 1).ConfigureAwait(false) == 0)
                {
                    return null;
                }

                head.Append((char)one[0]);
                if (head.Length >= 4 && head[head.Length - 1] == '\n' && head.ToString(head.Length - 4, 4) == "\r\n\r\n")
                {
                    return head.ToString(0, head.Length - 4);
                }
            }

            return null;
        }

        private static Task WriteAsync(Stream stream, string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            return stream.WriteAsync(bytes, 0, bytes.Length);
        }
    }
}

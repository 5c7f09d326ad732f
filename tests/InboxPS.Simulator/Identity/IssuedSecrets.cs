using System.Collections.Concurrent;

namespace InboxPS.Simulator.Identity;

/// <summary>
/// Every token the identity endpoint handed out (access, id and refresh tokens) and every client assertion it was sent,
/// so a security test can search what InboxPS wrote for each of them. Bounded: a long soak keeps the first 10,000.
/// </summary>
internal sealed class IssuedSecrets
{
    private const int Limit = 10_000;
    private readonly ConcurrentQueue<string> _tokens = new();
    private readonly ConcurrentQueue<string> _assertions = new();

    public void Token(string token) => Add(_tokens, token);

    public void ClientAssertion(string assertion) => Add(_assertions, assertion);

    public IssuedSecretsSnapshot Snapshot() => new(_tokens.ToArray(), _assertions.ToArray());

    private static void Add(ConcurrentQueue<string> queue, string value)
    {
        if (value.Length > 0 && queue.Count < Limit)
        {
            queue.Enqueue(value);
        }
    }
}

namespace InboxPS.Core;

/// <summary>A sink that drops everything, for callers that only want return values.</summary>
public sealed class NullSink : IInboxSink
{
    public static readonly NullSink Instance = new();

    private NullSink()
    {
    }

    public void Progress(InboxProgress progress)
    {
    }

    public void Log(InboxLogLevel level, string message)
    {
    }

    public void Result(object result)
    {
    }
}

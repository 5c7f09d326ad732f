namespace InboxPS.Core;

public enum InboxLogLevel
{
    Debug,
    Verbose,
    Information,
    Warning,
}

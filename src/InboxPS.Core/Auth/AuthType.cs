namespace InboxPS.Core.Auth;

/// <summary>Whose identity a connection's requests carry, as Get-InboxConnection shows it.</summary>
public enum AuthType
{
    Delegated,
    AppOnly,
    Basic,
}

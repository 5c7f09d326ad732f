using System;

namespace InboxPS.Core.Ews.Transport;

/// <summary>The body passed <see cref="EwsClientOptions.MaxResponseBytes"/>; the transport reports it as EwsResponseTooLarge.</summary>
internal sealed class ResponseTooLargeException : Exception
{
    public ResponseTooLargeException(long limit)
        : base($"The response is larger than {limit} bytes.")
    {
    }
}

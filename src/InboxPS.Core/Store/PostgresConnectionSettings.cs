using System;
using System.Net;
using Npgsql;

namespace InboxPS.Core.Store;

/// <summary>
/// Where a PostgreSQL store is and how to sign in to it: a <c>postgres://user@host:port/database?sslmode=require</c>
/// address or an Npgsql connection string (<c>Host=...;Username=...;Database=...</c>), with the password given apart
/// (a PSCredential, or $env:INBOXPS_STORE_PASSWORD). The password is only ever handed to Npgsql: <see cref="Display"/>,
/// errors and the store itself never contain it.
/// </summary>
public sealed class PostgresConnectionSettings
{
    public const string PasswordVariable = "INBOXPS_STORE_PASSWORD";

    private readonly NpgsqlConnectionStringBuilder _builder;

    private PostgresConnectionSettings(NpgsqlConnectionStringBuilder builder)
    {
        _builder = builder;
        Display = $"postgres://{Uri.EscapeDataString(builder.Username ?? string.Empty)}@{builder.Host}:{builder.Port}/{builder.Database}";
    }

    /// <summary>The store's address without any secret, for messages and Get-InboxStore.</summary>
    public string Display { get; }

    public string? Username => _builder.Username;

    /// <summary>True when the text looks like a PostgreSQL store rather than a SQLite file path.</summary>
    public static bool IsPostgres(string? text) =>
        text is not null &&
        (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
         text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
         text.IndexOf("host=", StringComparison.OrdinalIgnoreCase) >= 0);

    /// <summary>Reads an address or connection string; <paramref name="password"/> (when given) wins over one inside it.</summary>
    /// <exception cref="StoreException">StorePostgresInvalid: the text is neither form (the message never repeats it).</exception>
    public static PostgresConnectionSettings Parse(string text, NetworkCredential? password = null)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = text.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) && text.Contains("://")
                ? FromAddress(new Uri(text.Trim(), UriKind.Absolute))
                : new NpgsqlConnectionStringBuilder(text.Trim());
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or System.Collections.Generic.KeyNotFoundException)
        {
            throw Invalid();
        }

        if (string.IsNullOrEmpty(builder.Host) || string.IsNullOrEmpty(builder.Database))
        {
            throw Invalid();
        }

        if (password is not null)
        {
            if (!string.IsNullOrEmpty(password.UserName))
            {
                builder.Username = password.UserName;
            }

            builder.Password = password.Password;
        }
        else if (Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment)
        {
            builder.Password = fromEnvironment;
        }

        // Npgsql forgets the password once a connection opened; keep it that way, and name the application for pg_stat_activity.
        builder.PersistSecurityInfo = false;
        builder.ApplicationName ??= "InboxPS";
        return new PostgresConnectionSettings(builder);
    }

    internal string ConnectionString => _builder.ConnectionString;

    private static NpgsqlConnectionStringBuilder FromAddress(Uri address)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = address.Host,
            Port = address.IsDefaultPort || address.Port <= 0 ? 5432 : address.Port,
            Database = Uri.UnescapeDataString(address.AbsolutePath.TrimStart('/')),
        };
        var userInfo = address.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo.Substring(0, colon));
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(userInfo.Substring(colon + 1));
            }
        }

        foreach (var pair in address.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair.Substring(0, equals));
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair.Substring(equals + 1));
            builder[key switch
            {
                "sslmode" => "SSL Mode",
                "search_path" => "Search Path",
                "application_name" => "Application Name",
                _ => key,
            }] = value;
        }

        return builder;
    }

    private static StoreException Invalid() =>
        new("StorePostgresInvalid", InboxErrorKind.InvalidArgument, "PostgreSQL",
            "The PostgreSQL store setting is neither a postgres://user@host:port/database address nor a connection string with Host and Database.",
            "Set it as postgres://user@host:5432/database?sslmode=require (or Host=...;Username=...;Database=...) and give the password apart, in $env:INBOXPS_STORE_PASSWORD or a credential.");
}

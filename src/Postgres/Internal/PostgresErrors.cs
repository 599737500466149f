using System.Net.Sockets;
using Npgsql;

namespace AgentQuotas.Postgres.Internal;

/// <summary>Classifies and explains Npgsql failures.</summary>
internal static class PostgresErrors
{
    /// <summary>Whether the failure means the server could not decide (as opposed to a bug or bad input).</summary>
    public static bool IsStoreFailure(Exception e) =>
        (e is NpgsqlException or TimeoutException or IOException or SocketException) && !(e is PostgresException pg && IsRequestError(pg));

    /// <summary>
    /// Whether the server answered and refused this request for its data (SQLSTATE class 22, data exception, or
    /// 23, integrity constraint): the server is up, and other requests are not affected.
    /// </summary>
    public static bool IsRequestError(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

    /// <summary>A one-line reason for logs, audit details and results.</summary>
    public static string Reason(Exception e)
    {
        if (e is PostgresException pg)
        {
            return $"{pg.SqlState}: {pg.MessageText}";
        }

        if (Find<SocketException>(e) is SocketException socket)
        {
            return $"{e.Message} ({socket.SocketErrorCode}: {socket.Message})";
        }

        if (Find<TimeoutException>(e) is not null)
        {
            return "timed out: " + e.Message;
        }

        return e.InnerException is null ? e.Message : e.Message + " (" + e.InnerException.Message + ")";
    }

    /// <summary>An exception for a failure while opening: says what is wrong and what to check.</summary>
    public static PostgresStoreException Opening(Exception e, string target, string what)
    {
        if (e is PostgresStoreException known)
        {
            return known;
        }

        if (e is PostgresException pg)
        {
            string message = pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                    $"PostgreSQL at {target} refused the login: {pg.MessageText}. Check Username and Password in the connection string.",
                PostgresErrorCodes.InvalidCatalogName =>
                    $"The database in the connection string does not exist on {target}: {pg.MessageText}. Create it or fix Database.",
                PostgresErrorCodes.InsufficientPrivilege =>
                    $"PostgreSQL at {target} refused {what}: {pg.MessageText}. The role lacks a privilege; see docs/postgres.md, 'Rights'.",
                PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow =>
                    $"PostgreSQL at {target} is not accepting connections now ({pg.SqlState}: {pg.MessageText}).",
                _ => $"PostgreSQL at {target} failed while {what}: {pg.SqlState}: {pg.MessageText}",
            };
            return new PostgresStoreException(message, e);
        }

        if (Find<SocketException>(e) is SocketException socket)
        {
            return new PostgresStoreException(
                $"Cannot reach PostgreSQL at {target}: {socket.SocketErrorCode} ({socket.Message}). Check Host and Port in the connection string and that the server is running.", e);
        }

        if (Find<TimeoutException>(e) is not null)
        {
            return new PostgresStoreException(
                $"Timed out connecting to PostgreSQL at {target} while {what}. Check Host and Port, the network, and the connection string's Timeout.", e);
        }

        return new PostgresStoreException($"Could not open AgentQuotas' PostgreSQL schema at {target} while {what}: {Reason(e)}", e);
    }

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}

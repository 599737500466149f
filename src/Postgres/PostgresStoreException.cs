namespace AgentQuotas.Postgres;

/// <summary>
/// AgentQuotas.Postgres could not open or use its schema: the server is unreachable, the login was
/// refused, the database is missing, the role lacks a privilege, or the schema is of another version.
/// The message says which, and what to do about it; <see cref="Exception.InnerException"/> holds Npgsql's error.
/// </summary>
public sealed class PostgresStoreException : Exception
{
    /// <summary>Creates an exception.</summary>
    public PostgresStoreException()
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public PostgresStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The underlying error.</param>
    public PostgresStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

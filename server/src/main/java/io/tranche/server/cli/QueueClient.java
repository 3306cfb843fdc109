package io.tranche.server.cli;

import com.google.rpc.BadRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.proto.v1.QueueServiceGrpc;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One connection to a tranche server for the command line: the channel, the bearer token and the deadline
 * of each call, and the translation of gRPC failures into one readable report and an exit status.
 */
public final class QueueClient implements AutoCloseable
{
    /** Exit status for a mistake in the request that retrying will not fix (invalid, not found, denied...). */
    public static final int EXIT_CLIENT_ERROR = 2;
    /** Exit status for everything else: server unavailable, deadline exceeded, internal errors. */
    public static final int EXIT_FAILURE = 1;

    /** Largest answer accepted, bytes. */
    public static final int MAX_INBOUND_MESSAGE_SIZE = 256 << 20;

    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final QueueServiceGrpc.QueueServiceBlockingStub blocking;
    private final QueueServiceGrpc.QueueServiceStub async;
    private final AllocationServiceGrpc.AllocationServiceBlockingStub allocation;
    private final Duration timeout;
    private final boolean timeoutGiven;
    private final String server;
    private final boolean tls;
    private final boolean tokenGiven;
    private final boolean certificateGiven;
    private final SessionPosition session;

    /**
     * @param options the connection options.
     * @param timeout the deadline of each call, or null for none.
     * @throws IOException when the CA file cannot be read.
     */
    public QueueClient(final ClientOptions options, final Duration timeout) throws IOException
    {
        final ChannelCredentials credentials;
        if (options.tls())
        {
            final TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
            if (options.ca() != null)
            {
                tls.trustManager(options.ca());
            }
            if ((options.cert() == null) != (options.key() == null))
            {
                throw new IOException("--cert and --key go together");
            }
            if (options.cert() != null)
            {
                try
                {
                    tls.keyManager(options.cert(), options.key());
                }
                catch (final IOException | IllegalArgumentException ex)
                {
                    throw new IOException("--cert " + options.cert() + " and --key " + options.key() + " are not a " +
                        "PEM certificate chain and its PKCS#8 private key: " + ex.getMessage(), ex);
                }
            }
            credentials = tls.build();
        }
        else
        {
            credentials = InsecureChannelCredentials.create();
        }
        final ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(options.server(), credentials)
            .userAgent("tranche-cli")
            // A page of tranches carries one award per queued claim each: allow big answers.
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_SIZE);
        if (options.authority() != null)
        {
            builder.overrideAuthority(options.authority());
        }
        final String token = options.token();
        if (token != null)
        {
            final Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        if (options.session() != null)
        {
            session = SessionPosition.open(options.session().toPath());
            builder.intercept(session);
        }
        else
        {
            session = null;
        }
        this.channel = builder.build();
        this.blocking = QueueServiceGrpc.newBlockingStub(channel);
        this.async = QueueServiceGrpc.newStub(channel);
        this.allocation = AllocationServiceGrpc.newBlockingStub(channel);
        this.timeout = timeout;
        this.timeoutGiven = options.timeout != null;
        this.server = options.server();
        this.tls = options.tls();
        this.tokenGiven = token != null;
        this.certificateGiven = options.cert() != null;
    }

    /** @return a blocking stub whose next call carries the deadline. */
    public QueueServiceGrpc.QueueServiceBlockingStub blocking()
    {
        return timeout == null ? blocking : blocking.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return an asynchronous stub whose next call carries the deadline. */
    public QueueServiceGrpc.QueueServiceStub async()
    {
        return timeout == null ? async : async.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return a blocking {@code AllocationService} stub whose next call carries the deadline. */
    public AllocationServiceGrpc.AllocationServiceBlockingStub allocation()
    {
        return timeout == null ? allocation : allocation.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return a blocking {@code ClusterService} stub whose next call carries the deadline. */
    public io.tranche.proto.v1.ClusterServiceGrpc.ClusterServiceBlockingStub cluster()
    {
        final io.tranche.proto.v1.ClusterServiceGrpc.ClusterServiceBlockingStub stub =
            io.tranche.proto.v1.ClusterServiceGrpc.newBlockingStub(channel);
        return timeout == null ? stub : stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return a blocking {@code LedgerService} stub whose next call carries the deadline. */
    public io.tranche.proto.v1.LedgerServiceGrpc.LedgerServiceBlockingStub ledger()
    {
        final io.tranche.proto.v1.LedgerServiceGrpc.LedgerServiceBlockingStub stub =
            io.tranche.proto.v1.LedgerServiceGrpc.newBlockingStub(channel);
        return timeout == null ? stub : stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return the server address. */
    public String server()
    {
        return server;
    }

    /**
     * Saves the highest log position answered into the {@code --session} file, when there is one and it rose.
     *
     * @throws IOException naming the file.
     */
    public void saveSession() throws IOException
    {
        if (session != null)
        {
            session.save();
        }
    }

    @Override
    public void close()
    {
        channel.shutdownNow();
        try
        {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @param code a gRPC status code.
     * @return {@link #EXIT_CLIENT_ERROR} for mistakes in the request that a retry will not fix,
     * {@link #EXIT_FAILURE} otherwise.
     */
    public static int exitStatus(final Status.Code code)
    {
        switch (code)
        {
            case INVALID_ARGUMENT:
            case NOT_FOUND:
            case ALREADY_EXISTS:
            case FAILED_PRECONDITION:
            case OUT_OF_RANGE:
            case PERMISSION_DENIED:
            case UNAUTHENTICATED:
                return EXIT_CLIENT_ERROR;
            default:
                return EXIT_FAILURE;
        }
    }

    /**
     * Prints a failed call as one line ({@code tranche CMD: CODE: message}) followed by one indented line
     * per {@code google.rpc.BadRequest} field violation.
     *
     * @param err     standard error.
     * @param command the command name for the prefix, e.g. {@code tranche claim add}.
     * @param ex      the failure.
     * @return the exit status.
     */
    public int report(final PrintWriter err, final String command, final StatusRuntimeException ex)
    {
        final Status status = ex.getStatus();
        final StringBuilder sb = new StringBuilder();
        sb.append(command).append(": ").append(status.getCode());
        String description = status.getDescription();
        boolean showCause = true;
        if (status.getCode() == Status.Code.UNAVAILABLE && tls && untrustedCertificate(ex))
        {
            // Netty says "General OpenSslEngine problem" or "PKIX path building failed": say what it means.
            description = "cannot reach " + server + " over TLS: the server's certificate is not trusted " +
                "(self-signed, or signed by a CA this machine does not know); pass that certificate or its CA " +
                "with --ca FILE (PEM)";
            showCause = false;
        }
        else if (status.getCode() == Status.Code.UNAVAILABLE)
        {
            description = "cannot reach " + server +
                " (is './tranche serve' running there? another address: --server, or $TRANCHE_SERVER)" +
                (description == null ? "" : ": " + description);
            if (!tls && !refused(ex))
            {
                // Something answered and hung up: the usual reason is a TLS server and a plaintext client.
                description += "; if the server expects TLS (serve --tls-cert), pass --tls, and --ca FILE when " +
                    "its certificate is self-signed";
            }
        }
        else if (status.getCode() == Status.Code.DEADLINE_EXCEEDED)
        {
            description = "no answer from " + server + " within " +
                (timeout == null ? "the deadline" : format(timeout)) + (timeoutGiven ? " (--timeout)" :
                " (the default deadline)") + "; a busy server or machine can take longer: raise it with --timeout, " +
                "for example --timeout 2m";
        }
        if (status.getCode() == Status.Code.UNAUTHENTICATED)
        {
            // The server asks for a credential (serve --tokens, --client-ca): say where the command line takes one.
            final boolean certificates = description != null && description.contains("client certificate");
            description = (description == null || description.isEmpty() ? "" : description + "; ") + (tokenGiven ?
                "the token given (--token or $TRANCHE_TOKEN) is not one of the server's --tokens" :
                certificateGiven ? "the certificate given (--cert) is not one the server takes" :
                certificates ? "the server wants a token or a client certificate: pass --token TOKEN (or set " +
                    "$TRANCHE_TOKEN), or --cert PEM --key PEM" :
                "the server wants a token: pass --token TOKEN, or set $TRANCHE_TOKEN");
        }
        if (description != null && !description.isEmpty())
        {
            sb.append(": ").append(oneLine(description));
        }
        if (showCause && status.getCause() != null && status.getCode() != Status.Code.DEADLINE_EXCEEDED)
        {
            final String cause = status.getCause().getMessage();
            if (cause != null && (description == null || !description.contains(cause)))
            {
                sb.append(" (").append(oneLine(cause)).append(')');
            }
        }
        err.println(sb);
        final com.google.rpc.Status details = StatusProto.fromThrowable(ex);
        if (details != null)
        {
            for (final com.google.protobuf.Any any : details.getDetailsList())
            {
                if (any.is(BadRequest.class))
                {
                    try
                    {
                        for (final BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList())
                        {
                            err.println("  " + v.getField() + ": " + oneLine(v.getDescription()));
                        }
                    }
                    catch (final com.google.protobuf.InvalidProtocolBufferException ignore)
                    {
                        // A malformed detail adds nothing; the status line above still stands.
                    }
                }
            }
        }
        err.flush();
        return exitStatus(status.getCode());
    }

    private static boolean untrustedCertificate(final Throwable ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            if (t instanceof java.security.cert.CertificateException ||
                t instanceof javax.net.ssl.SSLHandshakeException ||
                (t.getMessage() != null &&
                (t.getMessage().contains("PKIX") || t.getMessage().contains("OpenSslEngine"))))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean refused(final Throwable ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException ||
                (t.getMessage() != null && t.getMessage().contains("Connection refused")))
            {
                return true;
            }
        }
        return false;
    }

    private static String format(final Duration d)
    {
        return Durations.format(d);
    }

    private static String oneLine(final String s)
    {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}

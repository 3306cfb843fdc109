package io.tranche.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tranche.server.auth.AccessTable;
import io.tranche.server.auth.Credentials;
import io.tranche.server.auth.Principal;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authenticates every call that the role table does not leave open, then lets it through only when the caller's
 * role may call the method ({@link AccessTable}: a method not listed is for admins only). The credential is a
 * bearer token (exactly one {@code authorization: Bearer <token>}) or, without one, a client certificate the TLS
 * handshake verified against {@code --client-ca}, mapped to a principal by {@code --principals}. The call then
 * runs with its {@link Principal} in the context ({@link #principal()}): the services record its name, keep a
 * claimant to its own claims and a preview-only role to previews.
 */
public final class AuthInterceptor implements ServerInterceptor
{
    /** The authorization header. */
    public static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** The caller of the current call (absent on a server without credentials: {@link Principal#ANONYMOUS}). */
    static final Context.Key<Principal> PRINCIPAL = Context.key("tranche-principal");

    private static final int SAN_URI = 6;

    private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>()
    {
    };

    private final Credentials tokens;
    private final Credentials certificates;
    private final AccessTable table;

    /**
     * @param tokens       the accepted bearer tokens, or null for none.
     * @param certificates the principals of client certificate subjects, or null when certificates are not taken.
     * @param table        the role table.
     */
    public AuthInterceptor(final Credentials tokens, final Credentials certificates, final AccessTable table)
    {
        this.tokens = tokens;
        this.certificates = certificates;
        this.table = table;
    }

    /** @return the current call's principal; {@link Principal#ANONYMOUS} on a server without credentials. */
    public static Principal principal()
    {
        final Principal principal = PRINCIPAL.get();
        return principal == null ? Principal.ANONYMOUS : principal;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, R> call, final Metadata headers, final ServerCallHandler<Q, R> next)
    {
        final String method = call.getMethodDescriptor().getFullMethodName();
        if (table.open(method))
        {
            return next.startCall(call, headers);
        }
        final Iterable<String> all = headers.getAll(AUTHORIZATION);
        String header = null;
        int count = 0;
        if (all != null)
        {
            for (final String value : all)
            {
                header = value;
                count++;
            }
        }
        if (count > 1)
        {
            // Which one would count is a guess between us and any proxy in front: take none.
            return refuse(call, Status.UNAUTHENTICATED.withDescription("exactly one authorization header is " +
                "allowed; this call has " + count));
        }
        final Principal principal;
        if (header != null)
        {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7))
            {
                return refuse(call, Status.UNAUTHENTICATED.withDescription(
                    "the authorization header must be \"Bearer <token>\""));
            }
            principal = tokens == null ? null : tokens.forToken(header.substring(7).strip());
            if (principal == null)
            {
                return refuse(call, Status.UNAUTHENTICATED.withDescription(tokens == null ?
                    "this server takes no bearer tokens; authenticate with a client certificate" :
                    "unknown bearer token"));
            }
        }
        else
        {
            final String[] problem = new String[1];
            principal = fromCertificate(call, problem);
            if (principal == null)
            {
                return refuse(call, Status.UNAUTHENTICATED.withDescription(problem[0]));
            }
        }
        if (table.access(method, principal.role()) == AccessTable.Access.NONE)
        {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(call.getMethodDescriptor()
                .getBareMethodName() + " is not open to the " + principal.role().word() + " role (this credential " +
                "is " + principal.describe() + "); the role table is in docs/security.md"));
        }
        return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, principal), call, headers, next);
    }

    private Principal fromCertificate(final ServerCall<?, ?> call, final String[] problem)
    {
        final String missing = tokens == null ?
            "no client certificate; this server takes a certificate signed by its --client-ca" :
            certificates == null ? "missing \"authorization: Bearer <token>\" metadata" :
            "missing \"authorization: Bearer <token>\" metadata, and no client certificate";
        final SSLSession session = certificates == null ? null : call.getAttributes().get(
            Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null)
        {
            problem[0] = missing;
            return null;
        }
        final Certificate[] chain;
        try
        {
            chain = session.getPeerCertificates();
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            problem[0] = missing;
            return null;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate))
        {
            problem[0] = missing;
            return null;
        }
        final X509Certificate certificate = (X509Certificate)chain[0];
        final List<String> uris = sanUris(certificate);
        final String cn = commonName(certificate);
        final Principal principal = certificates.forSubject(uris, cn);
        if (principal == null)
        {
            problem[0] = "the client certificate (" + (uris.isEmpty() ? "" : "URI " + String.join(", ", uris) +
                ", ") + "CN " + cn + ") is not in --principals";
        }
        return principal;
    }

    /**
     * @param certificate a certificate.
     * @return its subject alternative names of type URI, in order.
     */
    static List<String> sanUris(final X509Certificate certificate)
    {
        final List<String> uris = new ArrayList<>();
        try
        {
            final Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null)
            {
                for (final List<?> name : names)
                {
                    if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0)) &&
                        name.get(1) instanceof String uri)
                    {
                        uris.add(uri);
                    }
                }
            }
        }
        catch (final CertificateParsingException ex)
        {
            // No usable names: the CN may still name it.
        }
        return uris;
    }

    /**
     * @param certificate a certificate.
     * @return its subject's (last) CN, or null.
     */
    static String commonName(final X509Certificate certificate)
    {
        try
        {
            String cn = null;
            for (final Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns())
            {
                if ("CN".equalsIgnoreCase(rdn.getType()))
                {
                    cn = String.valueOf(rdn.getValue());
                }
            }
            return cn;
        }
        catch (final InvalidNameException ex)
        {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> ServerCall.Listener<Q> refuse(final ServerCall<Q, R> call, final Status status)
    {
        call.close(status, new Metadata());
        return (ServerCall.Listener<Q>)NOOP;
    }
}

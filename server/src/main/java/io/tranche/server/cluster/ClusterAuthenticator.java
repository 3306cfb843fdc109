package io.tranche.server.cluster;

import io.aeron.security.Authenticator;
import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.CredentialsSupplier;
import io.aeron.security.SessionProxy;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Iterator;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Challenge–response authentication of the cluster's ingress sessions under the {@link ClusterSecret}.
 * <p>
 * A client connects with the credentials {@link #CREDENTIALS} (they name the scheme; they prove nothing). The
 * member answers with a challenge of {@link #NONCE_LENGTH} fresh random bytes; the client answers with
 * HMAC-SHA256(secret, {@code "tranche cluster challenge v1\n"} ‖ nonce), and the session is authenticated only
 * when that matches. Anything else is rejected at once: other credentials (Aeron's default client sends none), a
 * wrong answer, or no answer within {@link #CHALLENGE_TIMEOUT_MS}. A rejected or unanswered session leaves Aeron's
 * pending-session list within that time, so that unauthenticated peers cannot hold the sessions a member needs.
 * <p>
 * Aeron runs an authenticator on its consensus module's thread; {@link #supplier} gives each its own MAC.
 */
public final class ClusterAuthenticator implements Authenticator
{
    /** What an authenticating client sends as its credentials. */
    public static final byte[] CREDENTIALS = "tranche-hmac-sha256-v1".getBytes(StandardCharsets.US_ASCII);
    /** Length of the member's nonce. */
    public static final int NONCE_LENGTH = 32;
    /** How long a challenged session may take to answer. */
    public static final long CHALLENGE_TIMEOUT_MS = 2_000;
    /** The principal of an authenticated session: a holder of the secret. */
    static final byte[] PRINCIPAL = "cluster-secret".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOMAIN = "tranche cluster challenge v1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int PRUNE_ABOVE = 256;

    private final ClusterSecret secret;
    private final SecureRandom random = new SecureRandom();
    private final Long2ObjectHashMap<Pending> pending = new Long2ObjectHashMap<>();
    private long rejected;

    private static final class Pending
    {
        final boolean wantsChallenge;
        final long createdMs;
        byte[] nonce;
        long deadlineMs;
        boolean answered;
        boolean valid;

        Pending(final boolean wantsChallenge, final long createdMs)
        {
            this.wantsChallenge = wantsChallenge;
            this.createdMs = createdMs;
        }
    }

    private ClusterAuthenticator(final ClusterSecret secret)
    {
        this.secret = secret;
    }

    /**
     * @param secret the cluster's secret.
     * @return a supplier of authenticators for {@code ConsensusModule.Context#authenticatorSupplier}.
     */
    public static AuthenticatorSupplier supplier(final ClusterSecret secret)
    {
        return () -> new ClusterAuthenticator(secret.copy());
    }

    /**
     * @param secret the cluster's secret.
     * @return credentials for {@code AeronCluster.Context#credentialsSupplier}: they answer the member's challenge.
     */
    public static CredentialsSupplier credentials(final ClusterSecret secret)
    {
        final ClusterSecret mine = secret.copy();
        return new CredentialsSupplier()
        {
            @Override
            public byte[] encodedCredentials()
            {
                return CREDENTIALS.clone();
            }

            @Override
            public byte[] onChallenge(final byte[] challenge)
            {
                synchronized (mine)
                {
                    return mine.mac(DOMAIN, challenge);
                }
            }
        };
    }

    @Override
    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        if (pending.size() > PRUNE_ABOVE)
        {
            prune(nowMs);
        }
        pending.put(sessionId, new Pending(Arrays.equals(CREDENTIALS, encodedCredentials), nowMs));
    }

    @Override
    public void onConnectedSession(final SessionProxy proxy, final long nowMs)
    {
        final Pending p = pending.get(proxy.sessionId());
        if (p == null || !p.wantsChallenge)
        {
            reject(proxy);
            return;
        }
        if (p.nonce == null)
        {
            final byte[] nonce = new byte[NONCE_LENGTH];
            random.nextBytes(nonce);
            if (proxy.challenge(nonce))
            {
                p.nonce = nonce;
                p.deadlineMs = nowMs + CHALLENGE_TIMEOUT_MS;
            }
        }
    }

    @Override
    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final Pending p = pending.get(sessionId);
        if (p != null && p.nonce != null && !p.answered)
        {
            p.answered = true;
            p.valid = encodedCredentials != null &&
                ClusterSecret.equal(secret.mac(DOMAIN, p.nonce), encodedCredentials);
        }
    }

    @Override
    public void onChallengedSession(final SessionProxy proxy, final long nowMs)
    {
        final Pending p = pending.get(proxy.sessionId());
        if (p == null)
        {
            reject(proxy);
        }
        else if (p.answered)
        {
            if (!p.valid)
            {
                reject(proxy);
            }
            else if (proxy.authenticate(PRINCIPAL))
            {
                pending.remove(proxy.sessionId());
            }
        }
        else if (nowMs > p.deadlineMs)
        {
            reject(proxy);
        }
    }

    private void reject(final SessionProxy proxy)
    {
        pending.remove(proxy.sessionId());
        proxy.reject();
        rejected++;
    }

    // Sessions Aeron dropped without telling (timed out before connecting): forget them.
    private void prune(final long nowMs)
    {
        for (final Iterator<Pending> it = pending.values().iterator(); it.hasNext(); )
        {
            if (nowMs - it.next().createdMs > 60_000)
            {
                it.remove();
            }
        }
    }

    /** @return sessions this authenticator rejected. */
    long rejected()
    {
        return rejected;
    }
}

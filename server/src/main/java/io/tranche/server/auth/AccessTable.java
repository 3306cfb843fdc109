package io.tranche.server.auth;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The role table: for each method, what each role may do with it. Deny by default: a method that is not listed
 * is for admins only, so a new RPC is never silently open. Admins reach every method.
 */
public final class AccessTable
{
    /** What a role may do with one method. */
    public enum Access
    {
        /** Refused: PERMISSION_DENIED. */
        NONE,
        /** Reached, on the claims of the caller's scope only (a claimant's own claims and rows). */
        OWN,
        /** Reached as a preview only ({@code validate_only}); a claimant's preview shows its own rows only. */
        PREVIEW,
        /** Reached. */
        ALL
    }

    /**
     * One method's row.
     *
     * @param open   true when it needs no credential at all (health checks).
     * @param access what each role but admin may do.
     */
    public record Rule(boolean open, Map<Role, Access> access)
    {
        /**
         * @param role a role.
         * @return what it may do.
         */
        public Access of(final Role role)
        {
            return role == Role.ADMIN ? Access.ALL : access.getOrDefault(role, Access.NONE);
        }
    }

    private static final String QUEUE = "tranche.v1.QueueService/";
    private static final String LEDGER = "tranche.v1.LedgerService/";

    /** The server's table. */
    public static final AccessTable DEFAULT = new AccessTable(defaultRules());

    private final Map<String, Rule> rules;

    /** @param rules method's full name to its row. */
    public AccessTable(final Map<String, Rule> rules)
    {
        this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }

    private static Map<String, Rule> defaultRules()
    {
        final Map<String, Rule> rules = new LinkedHashMap<>();
        rules.put("grpc.health.v1.Health/Check", open());
        rules.put("grpc.health.v1.Health/Watch", open());
        // Reflection describes the API, which is public in proto/.
        rules.put("grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            row(Access.ALL, Access.ALL, Access.ALL));
        rules.put("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            row(Access.ALL, Access.ALL, Access.ALL));
        rules.put("tranche.v1.AllocationService/Allocate", row(Access.ALL, Access.ALL, Access.ALL));
        //                                             claimant      reader          auditor
        rules.put(QUEUE + "CreateClaim", row(Access.OWN, Access.NONE, Access.NONE));
        rules.put(QUEUE + "GetClaim", row(Access.OWN, Access.ALL, Access.ALL));
        rules.put(QUEUE + "ListClaims", row(Access.OWN, Access.ALL, Access.ALL));
        rules.put(QUEUE + "UpdateClaim", row(Access.OWN, Access.NONE, Access.NONE));
        rules.put(QUEUE + "DeleteClaim", row(Access.OWN, Access.NONE, Access.NONE));
        rules.put(QUEUE + "ReleaseTranche", row(Access.PREVIEW, Access.PREVIEW, Access.PREVIEW));
        rules.put(QUEUE + "GetTranche", row(Access.OWN, Access.ALL, Access.ALL));
        rules.put(QUEUE + "ListTranches", row(Access.OWN, Access.ALL, Access.ALL));
        rules.put(QUEUE + "WatchTranches", row(Access.OWN, Access.ALL, Access.ALL));
        rules.put(QUEUE + "GetClaimHistory", row(Access.OWN, Access.NONE, Access.ALL));
        rules.put(QUEUE + "GetClaimPosition", row(Access.OWN, Access.NONE, Access.ALL));
        rules.put("tranche.v1.ClusterService/GetClusterStatus", row(Access.NONE, Access.ALL, Access.ALL));
        // The ledger's proofs carry hashes of other firms' leaves only; a claimant's inclusion proofs are of its own
        // awards, and the list of every leaf hash is not for it (unsalted claim changes could be guessed from them).
        rules.put(LEDGER + "GetCheckpoint", row(Access.ALL, Access.ALL, Access.ALL));
        rules.put(LEDGER + "GetInclusionProof", row(Access.OWN, Access.ALL, Access.ALL));
        rules.put(LEDGER + "GetConsistencyProof", row(Access.ALL, Access.ALL, Access.ALL));
        rules.put(LEDGER + "ListLeafHashes", row(Access.NONE, Access.ALL, Access.ALL));
        return rules;
    }

    private static Rule open()
    {
        return new Rule(true, Map.of(Role.CLAIMANT, Access.ALL, Role.READER, Access.ALL, Role.AUDITOR, Access.ALL));
    }

    private static Rule row(final Access claimant, final Access reader, final Access auditor)
    {
        final EnumMap<Role, Access> access = new EnumMap<>(Role.class);
        access.put(Role.CLAIMANT, claimant);
        access.put(Role.READER, reader);
        access.put(Role.AUDITOR, auditor);
        return new Rule(false, Collections.unmodifiableMap(access));
    }

    /**
     * @param fullMethodName a method's full name, {@code package.Service/Method}.
     * @return its row, or null when it is not listed (admins only).
     */
    public Rule rule(final String fullMethodName)
    {
        return rules.get(fullMethodName);
    }

    /**
     * @param fullMethodName a method's full name.
     * @param role           a role.
     * @return what that role may do with it; {@link Access#NONE} for a method not listed, unless admin.
     */
    public Access access(final String fullMethodName, final Role role)
    {
        final Rule rule = rules.get(fullMethodName);
        if (rule == null)
        {
            return role == Role.ADMIN ? Access.ALL : Access.NONE;
        }
        return rule.of(role);
    }

    /**
     * @param fullMethodName a method's full name.
     * @return true when it needs no credential.
     */
    public boolean open(final String fullMethodName)
    {
        final Rule rule = rules.get(fullMethodName);
        return rule != null && rule.open();
    }

    /** @return every listed method's full name, in the table's order. */
    public java.util.Set<String> methods()
    {
        return rules.keySet();
    }
}

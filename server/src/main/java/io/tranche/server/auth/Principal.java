package io.tranche.server.auth;

/**
 * Who made a call: the name recorded with what it changes (never the credential itself), its role and, for a
 * claimant, the claims it may reach.
 *
 * @param name  the recorded name.
 * @param role  the role.
 * @param scope the claims it reaches ({@link Scope#ALL} for every role but claimant).
 */
public record Principal(String name, Role role, Scope scope)
{
    /** The caller of a server without credentials (no {@code --tokens}, no {@code --client-ca}): an admin. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Role.ADMIN, Scope.ALL);

    /** @return true when it may only reach the claims of its scope. */
    public boolean scoped()
    {
        return role == Role.CLAIMANT;
    }

    /**
     * @param claimId a claim id.
     * @return true when it may see and (by role) change that claim.
     */
    public boolean reaches(final String claimId)
    {
        return !scoped() || scope.contains(claimId);
    }

    /** @return for messages: {@code name (role)}. */
    public String describe()
    {
        return "\"" + name + "\" (" + role.word() + ")";
    }
}

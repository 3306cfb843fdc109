package io.tranche.server.auth;

/** What a credential may do; the role table ({@link AccessTable}) says which methods each reaches. */
public enum Role
{
    /** Everything, including releasing tranches. */
    ADMIN("admin"),
    /** Reads everything (claim history and positions included) and may preview a release; never changes anything. */
    AUDITOR("auditor"),
    /** Reads the queue and the ledger, calls Allocate and may preview a release. */
    READER("reader"),
    /** Creates, changes and reads the claims in its scope only, sees only its own awards, and may preview. */
    CLAIMANT("claimant");

    private final String word;

    Role(final String word)
    {
        this.word = word;
    }

    /** @return the role as written in a credentials file. */
    public String word()
    {
        return word;
    }

    /**
     * @param word a role as written in a credentials file.
     * @return the role, or null when it names none.
     */
    public static Role of(final String word)
    {
        for (final Role role : values())
        {
            if (role.word.equals(word))
            {
                return role;
            }
        }
        return null;
    }
}

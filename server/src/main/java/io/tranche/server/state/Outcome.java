package io.tranche.server.state;

import com.google.protobuf.Message;
import java.util.List;

/**
 * What a command or a read came to, as a domain result: the transport (gRPC today) alone maps it to
 * a status. A successful mutation also carries the command to log and, until
 * {@link QueueStateMachine#commit} applies it, its pending effect.
 */
public final class Outcome
{
    /** What happened. */
    public enum Kind
    {
        /** A claim was created; value is the claim. */
        CREATED(0, true),
        /** A claim was updated; value is the claim. */
        UPDATED(1, true),
        /** A claim was deleted; value is Empty. */
        DELETED(2, true),
        /** A tranche was released (or replayed from a record); value is the tranche. */
        RELEASED(3, true),
        /** The request_id was seen before with the same parameters; value is the recorded tranche. */
        ALREADY_RELEASED(4, true),
        /** validate_only: the tranche that would be released now; nothing recorded. */
        PREVIEW(5, true),
        /** A read; value is its result. */
        READ(6, true),
        /** Bad input; see {@link #violations()}. */
        INVALID(7, false),
        /** The claim or tranche does not exist. */
        NOT_FOUND(8, false),
        /** The claim id or request_id is taken. */
        ALREADY_EXISTS(9, false),
        /** The state does not allow it (the queue cannot be allocated under this policy, a replay mismatch). */
        FAILED_PRECONDITION(10, false),
        /** A limit was reached (the queue is full, the record would be too large). */
        LIMIT_REACHED(11, false),
        /** The log cannot take writes now (disk full, shutting down); nothing changed. */
        UNAVAILABLE(12, false),
        /** The caller went away before the command was reached. */
        CANCELLED(13, false),
        /** The caller's deadline passed before the command was reached. */
        DEADLINE_EXCEEDED(14, false),
        /** A bug: nothing changed. */
        INTERNAL(15, false);

        private static final Kind[] BY_CODE = new Kind[16];

        static
        {
            for (final Kind kind : values())
            {
                BY_CODE[kind.code] = kind;
            }
        }

        private final int code;
        private final boolean ok;

        Kind(final int code, final boolean ok)
        {
            this.code = code;
            this.ok = ok;
        }

        /** @return its code on the cluster's egress: fixed (the first release's order), never reused. */
        public int code()
        {
            return code;
        }

        /**
         * @param code a wire code.
         * @return its kind, or null for an unknown code.
         */
        public static Kind fromCode(final int code)
        {
            return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        }
    }

    /**
     * One bad field.
     *
     * @param field       its path, e.g. {@code claim.floor}.
     * @param description what is wrong, with the value.
     */
    public record Violation(String field, String description)
    {
    }

    private final Kind kind;
    private final Message value;
    private final String message;
    private final List<Violation> violations;
    final Command logged;
    final Effect effect;

    /** A pending change, applied by {@link QueueStateMachine#commit}. */
    interface Effect
    {
        /** @param machine the state it changes. @param place where the log recorded the command. */
        void apply(QueueStateMachine machine, RecordPlace place);
    }

    Outcome(final Kind kind, final Message value, final String message, final List<Violation> violations,
        final Command logged, final Effect effect)
    {
        this.kind = kind;
        this.value = value;
        this.message = message;
        this.violations = violations;
        this.logged = logged;
        this.effect = effect;
    }

    /** @param kind a success kind. @param value its value. @return an outcome with no change. */
    public static Outcome of(final Kind kind, final Message value)
    {
        return new Outcome(kind, value, null, List.of(), null, null);
    }

    /** @param kind a failure kind. @param message what went wrong. @return the outcome. */
    public static Outcome failed(final Kind kind, final String message)
    {
        return new Outcome(kind, null, message, List.of(), null, null);
    }

    /** @param violations the bad fields. @return an {@link Kind#INVALID} outcome. */
    public static Outcome invalid(final List<Violation> violations)
    {
        return new Outcome(Kind.INVALID, null, null, List.copyOf(violations), null, null);
    }

    /** @param field the bad field. @param description what is wrong. @return an {@link Kind#INVALID} outcome. */
    public static Outcome invalid(final String field, final String description)
    {
        return invalid(List.of(new Violation(field, description)));
    }

    static Outcome mutation(final Kind kind, final Message value, final Command logged, final Effect effect)
    {
        return new Outcome(kind, value, null, List.of(), logged, effect);
    }

    /** @return what happened. */
    public Kind kind()
    {
        return kind;
    }

    /** @return the result (claim, tranche, Empty, a read's response), or null on failure. */
    public Message value()
    {
        return value;
    }

    /** @return the failure's message, or null. */
    public String message()
    {
        return message;
    }

    /** @return the bad fields of an {@link Kind#INVALID} outcome. */
    public List<Violation> violations()
    {
        return violations;
    }

    /** @return true when the outcome succeeded. */
    public boolean ok()
    {
        return kind.ok;
    }

    /** @return true when the state changes (on commit): the command must be logged first. */
    public boolean mutates()
    {
        return effect != null;
    }

    /** @return the command to log for this change (a release logs its {@link Command.RecordTranche}), or null. */
    public Command logged()
    {
        return logged;
    }

    @Override
    public String toString()
    {
        return kind + (message != null ? ": " + message : "") + (violations.isEmpty() ? "" : " " + violations);
    }
}

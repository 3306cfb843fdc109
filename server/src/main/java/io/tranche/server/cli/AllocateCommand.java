package io.tranche.server.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tranche.kernel.Violations;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Explanation;
import io.tranche.server.allocation.AllocationExplainer;
import io.tranche.server.allocation.AllocationOutcome;
import io.tranche.server.allocation.AllocationProtoAdapter;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tranche allocate}: one {@code AllocateRequest} in proto3 JSON to its {@code AllocateResponse},
 * or a stream of them with {@code --jsonl}; computed here, or by the {@code Allocate} RPC of the server
 * given with {@code --server} (what one would otherwise use grpcurl for), with the same output.
 */
@Command(
    name = "allocate",
    mixinStandardHelpOptions = true,
    description = {
        "Splits one supply across claims: reads an AllocateRequest in proto3 JSON, prints the AllocateResponse.",
        "With --server, calls the Allocate RPC of that server instead; the output is the same.",
        "Exit status: 0 done, 2 invalid input (violations on standard error) or a refused call, " +
            "1 server unreachable or failing."
    })
public final class AllocateCommand implements Callable<Integer>
{
    /** Exit status for invalid input. */
    public static final int EXIT_INVALID = 2;

    /**
     * Set to {@code true} by the {@code ./tranche} launcher when its standard input is a terminal ({@code [ -t 0 ]}):
     * Java 17 can tell only whether standard input and output both are ({@code System.console()}).
     */
    public static final String STDIN_TERMINAL_PROP_NAME = "tranche.stdin.terminal";

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
        description = "Request file, or - for standard input (default).")
    String file = "-";

    @Option(names = "--table", description = "Print an aligned table instead of JSON.")
    boolean table;

    @Option(names = "--explain", description = "Ask for explanations: each award says why it is what it is " +
        "(with --table, a \"why\" column).")
    boolean explain;

    @Option(names = "--jsonl", description = "Read one request per line from standard input; write one response " +
        "(or {\"error\":…}) per line, in order.")
    boolean jsonl;

    @Option(names = "--max-claims",
        description = "Largest number of claims in one problem (default: ${DEFAULT-VALUE}).")
    int maxClaims = AllocationProtoAdapter.DEFAULT_MAX_CLAIMS;

    @Option(names = "--server", paramLabel = "HOST:PORT",
        description = "Call the Allocate RPC of this tranche server instead of allocating here.")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:TRANCHE_TOKEN}",
        description = "With --server: bearer token sent as 'authorization: Bearer TOKEN' (default: $TRANCHE_TOKEN).")
    String token;

    @Option(names = "--tls", description = "With --server: connect with TLS (trusting the system's roots unless --ca).")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "With --server: PEM file of the CA certificates to " +
        "trust; implies --tls.")
    File ca;

    @Option(names = "--authority", paramLabel = "NAME",
        description = "With --server: host name expected in the server's certificate, when it differs.")
    String authority;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class,
        description = "With --server: deadline of each call: 10s, 500ms, 2m (default: " + ClientDefaults.TIMEOUT_HELP +
            ").")
    Duration timeout;

    private final JsonFormat.Parser parser = JsonFormat.parser();

    @Override
    public Integer call() throws IOException
    {
        final PrintStream out =
            new PrintStream(new java.io.BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        final PrintWriter err =
            new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        if (server == null)
        {
            if (tls || ca != null || authority != null || timeout != null)
            {
                err.println("tranche allocate: --tls, --ca, --authority and --timeout go with --server HOST:PORT");
                return EXIT_INVALID;
            }
            try
            {
                return jsonl ? streamLines(new Local(new AllocationProtoAdapter(maxClaims)), out) :
                    single(new Local(new AllocationProtoAdapter(maxClaims)), out, err);
            }
            catch (final StatusRuntimeException ex)
            {
                // Local mode throws only RESOURCE_EXHAUSTED (more claims than --max-claims).
                err.println("tranche allocate: " + ex.getStatus().getCode() + ": " + ex.getStatus().getDescription());
                return EXIT_INVALID;
            }
            finally
            {
                out.flush();
            }
        }
        final ClientOptions options = new ClientOptions();
        options.server = server;
        options.token = token;
        options.tls = tls;
        options.ca = ca;
        options.authority = authority;
        options.timeout = timeout;
        final QueueClient connection;
        try
        {
            connection = new QueueClient(options, options.timeout(ClientDefaults.defaultTimeout()));
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println("tranche allocate: cannot set up the connection to " + server + ": " +
                (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            return QueueClient.EXIT_CLIENT_ERROR;
        }
        try (connection)
        {
            final Remote remote = new Remote(connection);
            return jsonl ? streamLines(remote, out) : single(remote, out, err);
        }
        catch (final StatusRuntimeException ex)
        {
            out.flush();
            return connection.report(err, "tranche allocate", ex);
        }
        finally
        {
            out.flush();
        }
    }

    /** Where a request is answered: here, or by a server. */
    private interface Solver
    {
        /**
         * @param request the parsed request.
         * @return the response, or null when the request is invalid (see {@link #violations}).
         * @throws StatusRuntimeException when a server refuses or fails the call for another reason.
         */
        AllocateResponse allocate(AllocateRequest request);

        /** @return the message of the last invalid request. */
        String invalidMessage();

        /** @return field path and description pairs of the last invalid request. */
        String[][] violations();
    }

    private static final class Local implements Solver
    {
        private final AllocationProtoAdapter adapter;
        private AllocationOutcome outcome;

        Local(final AllocationProtoAdapter adapter)
        {
            this.adapter = adapter;
        }

        @Override
        public AllocateResponse allocate(final AllocateRequest request)
        {
            outcome = adapter.allocate(request);
            switch (outcome.kind())
            {
                case ALLOCATED:
                    return outcome.response();
                case TOO_MANY_CLAIMS:
                    throw Status.RESOURCE_EXHAUSTED.withDescription(outcome.message()).asRuntimeException();
                default:
                    return null;
            }
        }

        @Override
        public String invalidMessage()
        {
            final Violations v = outcome.violations();
            return v.count() + " problem(s) in the request";
        }

        @Override
        public String[][] violations()
        {
            final Violations v = outcome.violations();
            final String[][] pairs = new String[v.count()][];
            for (int i = 0; i < pairs.length; i++)
            {
                pairs[i] = new String[] {v.field(i), v.description(i)};
            }
            return pairs;
        }
    }

    private static final class Remote implements Solver
    {
        private final QueueClient connection;
        private StatusRuntimeException invalid;

        Remote(final QueueClient connection)
        {
            this.connection = connection;
        }

        @Override
        public AllocateResponse allocate(final AllocateRequest request)
        {
            try
            {
                return connection.allocation().allocate(request);
            }
            catch (final StatusRuntimeException ex)
            {
                if (ex.getStatus().getCode() != Status.Code.INVALID_ARGUMENT)
                {
                    throw ex;
                }
                invalid = ex;
                return null;
            }
        }

        @Override
        public String invalidMessage()
        {
            final String description = invalid.getStatus().getDescription();
            return description == null ? "invalid request" : description.replace('\n', ' ');
        }

        @Override
        public String[][] violations()
        {
            final com.google.rpc.Status details = StatusProto.fromThrowable(invalid);
            if (details == null)
            {
                return new String[0][];
            }
            final java.util.List<String[]> pairs = new java.util.ArrayList<>();
            for (final com.google.protobuf.Any any : details.getDetailsList())
            {
                if (any.is(BadRequest.class))
                {
                    try
                    {
                        for (final BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList())
                        {
                            pairs.add(new String[] {v.getField(), v.getDescription()});
                        }
                    }
                    catch (final InvalidProtocolBufferException ignore)
                    {
                        // A malformed detail adds nothing; the message still stands.
                    }
                }
            }
            return pairs.toArray(new String[0][]);
        }
    }

    private int single(final Solver engine, final PrintStream out, final PrintWriter err) throws IOException
    {
        if ("-".equals(file))
        {
            hintWhenTyping(err, "an AllocateRequest in JSON");
        }
        final String text;
        try
        {
            text = "-".equals(file) ? readAll(new InputStreamReader(System.in, StandardCharsets.UTF_8)) :
                Files.readString(Path.of(file), StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            err.println("tranche allocate: no such file: " + file);
            return EXIT_INVALID;
        }
        final AllocateRequest.Builder request = AllocateRequest.newBuilder();
        try
        {
            parser.merge(text, request);
        }
        catch (final InvalidProtocolBufferException | RuntimeException ex)
        {
            err.println("tranche allocate: INVALID_ARGUMENT: malformed request JSON: " +
                JsonErrors.describe(ex, 0, text));
            return EXIT_INVALID;
        }
        if (explain)
        {
            request.setExplain(true);
        }
        final AllocateRequest req = request.build();
        final AllocateResponse response = engine.allocate(req);
        if (response == null)
        {
            err.println("tranche allocate: INVALID_ARGUMENT: " + engine.invalidMessage());
            for (final String[] v : engine.violations())
            {
                err.println("  " + v[0] + ": " + v[1]);
            }
            return EXIT_INVALID;
        }
        if (table)
        {
            out.print(table(req, response));
        }
        else
        {
            out.println(JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(response));
        }
        return 0;
    }

    private int streamLines(final Solver engine, final PrintStream out) throws IOException
    {
        hintWhenTyping(new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
            "one AllocateRequest in JSON per line");
        final JsonFormat.Printer printer =
            JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        final StringBuilder line = new StringBuilder();
        String text;
        long lineNo = 0;
        while ((text = in.readLine()) != null)
        {
            lineNo++;
            if (text.isBlank())
            {
                continue;
            }
            final AllocateRequest.Builder request = AllocateRequest.newBuilder();
            try
            {
                parser.merge(text, request);
            }
            catch (final InvalidProtocolBufferException | RuntimeException ex)
            {
                line.setLength(0);
                out.println(errorLine(line, "INVALID_ARGUMENT",
                    "malformed request JSON: " + JsonErrors.describe(ex, lineNo - 1, text),
                    null));
                continue;
            }
            final AllocateResponse response;
            try
            {
                response = engine.allocate(explain ? request.setExplain(true).build() : request.build());
            }
            catch (final StatusRuntimeException ex)
            {
                if (ex.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED)
                {
                    // Too many claims on this line: the next line may be fine.
                    line.setLength(0);
                    out.println(errorLine(line, "RESOURCE_EXHAUSTED", String.valueOf(ex.getStatus().getDescription()),
                        null));
                    continue;
                }
                // The server is unreachable or refuses us: every later line would fail the same way.
                throw ex;
            }
            catch (final RuntimeException ex)
            {
                // Our bug, not the caller's: report it on its line and keep the stream going.
                line.setLength(0);
                out.println(errorLine(line, "INTERNAL", "internal error: " + message(ex), null));
                continue;
            }
            if (response == null)
            {
                line.setLength(0);
                final String[][] v = engine.violations();
                out.println(errorLine(line, "INVALID_ARGUMENT", engine.invalidMessage() + ": " + join(v), v));
            }
            else
            {
                out.println(printer.print(response));
            }
            if (!in.ready())
            {
                out.flush();
            }
        }
        return 0;
    }

    /**
     * Someone who ran {@code ./tranche allocate} with no file at a terminal sees nothing happen: say what the
     * command waits for, and how to give a file instead.
     */
    private static void hintWhenTyping(final PrintWriter err, final String what)
    {
        if (stdinIsTerminal())
        {
            err.println("tranche allocate: reading " + what + " from standard input (end with Ctrl-D); " +
                "or give a file: ./tranche allocate examples/seed.json");
            err.flush();
        }
    }

    /** @return true when standard input is a terminal, as far as Java 17 can tell. */
    static boolean stdinIsTerminal()
    {
        final String told = System.getProperty(STDIN_TERMINAL_PROP_NAME);
        return told != null ? Boolean.parseBoolean(told) : System.console() != null;
    }

    static StringBuilder errorLine(final StringBuilder sb, final String code, final String message, final String[][] v)
    {
        sb.append("{\"error\":{\"code\":\"").append(code).append("\",\"message\":");
        Json.quote(sb, message);
        sb.append(",\"violations\":[");
        if (v != null)
        {
            for (int i = 0; i < v.length; i++)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                sb.append("{\"field\":");
                Json.quote(sb, v[i][0]);
                sb.append(",\"description\":");
                Json.quote(sb, v[i][1]);
                sb.append('}');
            }
        }
        return sb.append("]}}");
    }

    /** The same text as {@link Violations#toString()}: {@code field: description; ...}. */
    private static String join(final String[][] v)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++)
        {
            if (i > 0)
            {
                sb.append("; ");
            }
            sb.append(v[i][0]).append(": ").append(v[i][1]);
        }
        return sb.toString();
    }

    /**
     * An aligned table: id, tier, demand, award, unmet, share of the tranche.
     *
     * @param request  the request.
     * @param response its response.
     * @return the table text.
     */
    public static String table(final AllocateRequest request, final AllocateResponse response)
    {
        final long supply = request.getSupply();
        final boolean why = response.hasExplanation();
        final long lot = why ? response.getExplanation().getLot() : 1;
        final String[][] rows = new String[request.getClaimsCount() + 1][];
        rows[0] = why ? new String[] {"id", "tier", "demand", "award", "unmet", "share", "why"} :
            new String[] {"id", "tier", "demand", "award", "unmet", "share"};
        for (int i = 0; i < request.getClaimsCount(); i++)
        {
            final Claim c = request.getClaims(i);
            final Award a = response.getAwards(i);
            rows[i + 1] = new String[] {
                c.getId(),
                Integer.toString(c.getTier()),
                c.hasDemand() ? Table.group(c.getDemand()) : "-",
                Table.group(a.getUnits()),
                a.hasUnmet() ? Table.group(a.getUnmet()) : "-",
                Table.percent(a.getUnits(), supply)};
            if (why)
            {
                rows[i + 1] = java.util.Arrays.copyOf(rows[i + 1], 7);
                rows[i + 1][6] = AllocationExplainer.why(a.getExplanation(), lot);
            }
        }
        final StringBuilder sb = new StringBuilder();
        Table.render(sb, rows);
        sb.append("allocated ").append(Table.group(response.getAllocated()))
            .append(" of ").append(Table.group(supply))
            .append(", unallocated ").append(Table.group(response.getUnallocated())).append('\n');
        if (why)
        {
            sb.append(explanationLine(response.getExplanation())).append('\n');
        }
        return sb.toString();
    }

    /**
     * @param e a tranche-level explanation.
     * @return one line: the split tier, the level or last divisor, the extra lots and the lots left over.
     */
    public static String explanationLine(final Explanation e)
    {
        final StringBuilder sb = new StringBuilder("why: ");
        if (e.getFloorsRationed())
        {
            sb.append("floors rationed; ");
        }
        if (!e.hasSplitTier())
        {
            sb.append("no tier split");
        }
        else
        {
            sb.append("tier ").append(e.getSplitTier()).append(" split");
            if (e.hasLevel())
            {
                sb.append(e.getTalmudLosses() ? ", losses level mu=" : ", level lambda=")
                    .append(AllocationExplainer.text(e.getLevel())).append(", ")
                    .append(e.getExtraLots()).append(" extra lot(s) by largest remainder");
            }
            if (e.hasLastPriority())
            {
                sb.append(", last divisor=").append(AllocationExplainer.text(e.getLastPriority()));
            }
        }
        sb.append("; lot ").append(Table.group(e.getLot())).append(", ").append(e.getLotsLeftOver())
            .append(" lot(s) left over");
        return sb.toString();
    }

    private static String message(final Exception ex)
    {
        final String m = ex.getMessage();
        return m == null ? ex.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    private static String readAll(final Reader reader) throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        final char[] buf = new char[8192];
        int n;
        while ((n = reader.read(buf)) > 0)
        {
            sb.append(buf, 0, n);
        }
        return sb.toString();
    }
}

package io.tranche.server.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.tranche.kernel.Violations;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.Award;
import io.tranche.proto.v1.Claim;
import io.tranche.server.allocation.AllocationOutcome;
import io.tranche.server.allocation.AllocationProtoAdapter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tranche allocate}: one {@code AllocateRequest} in proto3 JSON to its {@code AllocateResponse},
 * or a stream of them with {@code --jsonl}.
 */
@Command(
    name = "allocate",
    mixinStandardHelpOptions = true,
    description = {
        "Splits one supply across claims: reads an AllocateRequest in proto3 JSON, prints the AllocateResponse.",
        "Exit status: 0 done, 2 invalid input (violations on standard error)."
    })
public final class AllocateCommand implements Callable<Integer>
{
    /** Exit status for invalid input. */
    public static final int EXIT_INVALID = 2;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "Request file, or - for standard input (default).")
    String file = "-";

    @Option(names = "--table", description = "Print an aligned table instead of JSON.")
    boolean table;

    @Option(names = "--jsonl", description = "Read one request per line from standard input; write one response " +
        "(or {\"error\":…}) per line, in order.")
    boolean jsonl;

    @Option(names = "--max-claims", description = "Largest number of claims in one problem (default: ${DEFAULT-VALUE}).")
    int maxClaims = AllocationProtoAdapter.DEFAULT_MAX_CLAIMS;

    private final JsonFormat.Parser parser = JsonFormat.parser();

    @Override
    public Integer call() throws IOException
    {
        final PrintStream out = new PrintStream(new java.io.BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        final AllocationProtoAdapter adapter = new AllocationProtoAdapter(maxClaims);
        try
        {
            return jsonl ? streamLines(adapter, out) : single(adapter, out);
        }
        finally
        {
            out.flush();
        }
    }

    private int single(final AllocationProtoAdapter adapter, final PrintStream out) throws IOException
    {
        final String text;
        try
        {
            text = "-".equals(file) ? readAll(new InputStreamReader(System.in, StandardCharsets.UTF_8)) :
                Files.readString(Path.of(file), StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            System.err.println("tranche allocate: no such file: " + file);
            return EXIT_INVALID;
        }
        final AllocateRequest.Builder request = AllocateRequest.newBuilder();
        try
        {
            parser.merge(text, request);
        }
        catch (final InvalidProtocolBufferException | RuntimeException ex)
        {
            System.err.println("tranche allocate: INVALID_ARGUMENT: malformed request JSON: " + message(ex));
            return EXIT_INVALID;
        }
        final AllocateRequest req = request.build();
        final AllocationOutcome outcome = adapter.allocate(req);
        if (outcome.kind() == AllocationOutcome.Kind.TOO_MANY_CLAIMS)
        {
            System.err.println("tranche allocate: RESOURCE_EXHAUSTED: " + outcome.message());
            return EXIT_INVALID;
        }
        final AllocateResponse response = outcome.response();
        if (response == null)
        {
            final Violations v = outcome.violations();
            System.err.println("tranche allocate: INVALID_ARGUMENT: " + v.count() + " problem(s) in the request");
            for (int i = 0; i < v.count(); i++)
            {
                System.err.println("  " + v.field(i) + ": " + v.description(i));
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

    private int streamLines(final AllocationProtoAdapter adapter, final PrintStream out) throws IOException
    {
        final JsonFormat.Printer printer = JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        final StringBuilder line = new StringBuilder();
        String text;
        while ((text = in.readLine()) != null)
        {
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
                out.println(errorLine(line, "INVALID_ARGUMENT", "malformed request JSON: " + message(ex), null));
                continue;
            }
            final AllocationOutcome outcome;
            try
            {
                outcome = adapter.allocate(request.build());
            }
            catch (final RuntimeException ex)
            {
                // Our bug, not the caller's: report it on its line and keep the stream going.
                line.setLength(0);
                out.println(errorLine(line, "INTERNAL", "internal error: " + message(ex), null));
                continue;
            }
            line.setLength(0);
            switch (outcome.kind())
            {
                case ALLOCATED:
                    out.println(printer.print(outcome.response()));
                    break;
                case TOO_MANY_CLAIMS:
                    out.println(errorLine(line, "RESOURCE_EXHAUSTED", outcome.message(), null));
                    break;
                default:
                    final Violations v = outcome.violations();
                    out.println(errorLine(line, "INVALID_ARGUMENT", v.count() + " problem(s) in the request: " + v, v));
            }
            if (!in.ready())
            {
                out.flush();
            }
        }
        return 0;
    }

    static StringBuilder errorLine(final StringBuilder sb, final String code, final String message, final Violations v)
    {
        sb.append("{\"error\":{\"code\":\"").append(code).append("\",\"message\":");
        Json.quote(sb, message);
        sb.append(",\"violations\":[");
        if (v != null)
        {
            for (int i = 0; i < v.count(); i++)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                sb.append("{\"field\":");
                Json.quote(sb, v.field(i));
                sb.append(",\"description\":");
                Json.quote(sb, v.description(i));
                sb.append('}');
            }
        }
        return sb.append("]}}");
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
        final String[][] rows = new String[request.getClaimsCount() + 1][];
        rows[0] = new String[] {"id", "tier", "demand", "award", "unmet", "share"};
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
        }
        final StringBuilder sb = new StringBuilder();
        Table.render(sb, rows);
        sb.append("allocated ").append(Table.group(response.getAllocated()))
            .append(" of ").append(Table.group(supply))
            .append(", unallocated ").append(Table.group(response.getUnallocated())).append('\n');
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

package io.tranche.server.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * A cluster member as {@code --cluster-members} names it: id, host and first port (it uses PORT to PORT+4).
 *
 * @param id   its id, 0, 1, 2... in order.
 * @param host its host.
 * @param port its first port.
 */
public record Member(int id, String host, int port)
{
    /** @return the ingress endpoint. */
    public String ingress()
    {
        return host + ":" + port;
    }

    String aeronEntry()
    {
        return id + "," + host + ":" + port + "," + host + ":" + (port + 1) + "," + host + ":" + (port + 2) + "," +
            host + ":" + (port + 3) + "," + host + ":" + (port + 4);
    }

    /**
     * @param text {@code 0=127.0.0.1:20110,1=127.0.0.1:20220,2=127.0.0.1:20330}.
     * @return the members, in id order as given.
     * @throws IllegalArgumentException naming {@code --cluster-members} when it does not parse.
     */
    public static List<Member> parseList(final String text)
    {
        final List<Member> members = new ArrayList<>();
        for (final String entry : text.split(","))
        {
            final int eq = entry.indexOf('=');
            final int colon = entry.lastIndexOf(':');
            if (eq <= 0 || colon < eq + 2 || colon == entry.length() - 1)
            {
                throw new IllegalArgumentException("--cluster-members entries must be ID=HOST:PORT, was " + entry);
            }
            final int id;
            final int port;
            try
            {
                id = Integer.parseInt(entry.substring(0, eq).strip());
                port = Integer.parseInt(entry.substring(colon + 1).strip());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--cluster-members entries must be ID=HOST:PORT with numbers, was " +
                    entry, ex);
            }
            if (id != members.size())
            {
                throw new IllegalArgumentException("--cluster-members ids must be 0, 1, 2... in order, was " + entry);
            }
            if (port <= 0 || port + 5 > 65535)
            {
                throw new IllegalArgumentException(
                    "--cluster-members port must be 1..65530 (it uses PORT..PORT+5), was " +
                    entry);
            }
            members.add(new Member(id, entry.substring(eq + 1, colon).strip(), port));
        }
        if (members.size() < 1)
        {
            throw new IllegalArgumentException("--cluster-members is empty");
        }
        return members;
    }
}

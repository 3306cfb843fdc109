package io.tranche.server;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A minimal plaintext HTTP/2 client speaking gRPC framing by hand, for what a grpc-java client will not do: send
 * more header bytes than the server's advertised SETTINGS_MAX_HEADER_LIST_SIZE (grpc-java checks it and fails the
 * call locally with INTERNAL; other clients send). HPACK comes from Netty's encoder (told to ignore the peer's limit)
 * and decoder; frames are written and read here. One connection; streams 1, 3, 5...
 */
public final class RawHttp2Client implements AutoCloseable
{
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int WINDOW_UPDATE = 8;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int MAX_FRAME = 16_384;

    /** What one stream received. */
    public static final class Stream
    {
        final List<Http2Headers> headers = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        public volatile int dataFrames;
        volatile long resetCode = -1;
        final CountDownLatch closed = new CountDownLatch(1);

        /** @return the grpc-status of the last header block, or null. */
        public synchronized String grpcStatus()
        {
            for (int i = headers.size() - 1; i >= 0; i--)
            {
                final CharSequence s = headers.get(i).get("grpc-status");
                if (s != null)
                {
                    return s.toString();
                }
            }
            return null;
        }

        /** @return the :status of the first header block, or null. */
        public synchronized String httpStatus()
        {
            return headers.isEmpty() || headers.get(0).status() == null ? null : headers.get(0).status().toString();
        }

        public synchronized String grpcMessage()
        {
            for (int i = headers.size() - 1; i >= 0; i--)
            {
                final CharSequence s = headers.get(i).get("grpc-message");
                if (s != null)
                {
                    return s.toString();
                }
            }
            return null;
        }

        public boolean awaitClosed(final long millis) throws InterruptedException
        {
            return closed.await(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public synchronized String toString()
        {
            return "headers " + headers + ", " + data.size() + " data bytes, reset " + resetCode;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final String authority;
    private final DefaultHttp2HeadersEncoder encoder =
        new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1L << 20);
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final Thread reader;
    private final CountDownLatch connectionClosed = new CountDownLatch(1);
    private volatile long goAwayCode = -1;
    private int nextStream = 1;

    public RawHttp2Client(final String host, final int port) throws IOException
    {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        authority = host + ":" + port;
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
        reader = new Thread(this::read, "raw-http2-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a gRPC call: headers (with the extra ones), one message, end of stream.
     *
     * @return the stream.
     */
    public synchronized Stream call(final String fullMethodName, final Map<String, String> extra, final byte[] message)
        throws IOException
    {
        final int id = nextStream;
        nextStream += 2;
        final Stream stream = new Stream();
        streams.put(id, stream);
        final Http2Headers headers = new DefaultHttp2Headers()
            .method("POST").scheme("http").path("/" + fullMethodName).authority(authority);
        headers.add("content-type", "application/grpc");
        headers.add("te", "trailers");
        for (final Map.Entry<String, String> e : extra.entrySet())
        {
            headers.add(e.getKey(), e.getValue());
        }
        final ByteBuf block = Unpooled.buffer();
        try
        {
            encoder.encodeHeaders(id, headers, block);
        }
        catch (final Exception ex)
        {
            throw new IOException(ex);
        }
        final byte[] bytes = new byte[block.readableBytes()];
        block.readBytes(bytes);
        block.release();
        // HEADERS, then CONTINUATION frames of at most the default SETTINGS_MAX_FRAME_SIZE.
        int offset = 0;
        boolean first = true;
        do
        {
            final int length = Math.min(MAX_FRAME, bytes.length - offset);
            final boolean last = offset + length == bytes.length;
            frame(first ? HEADERS : CONTINUATION, last ? END_HEADERS : 0, id, slice(bytes, offset, length));
            offset += length;
            first = false;
        }
        while (offset < bytes.length);
        final byte[] grpcFrame = new byte[5 + message.length];
        grpcFrame[1] = (byte)(message.length >>> 24);
        grpcFrame[2] = (byte)(message.length >>> 16);
        grpcFrame[3] = (byte)(message.length >>> 8);
        grpcFrame[4] = (byte)message.length;
        System.arraycopy(message, 0, grpcFrame, 5, message.length);
        frame(DATA, END_STREAM, id, grpcFrame);
        return stream;
    }

    /** @return whether the server ended the connection (GOAWAY or EOF) within the time. */
    public boolean awaitConnectionClosed(final long millis) throws InterruptedException
    {
        return connectionClosed.await(millis, TimeUnit.MILLISECONDS);
    }

    /** @return the GOAWAY error code received, or -1. */
    public long goAwayCode()
    {
        return goAwayCode;
    }

    private static byte[] slice(final byte[] bytes, final int offset, final int length)
    {
        final byte[] s = new byte[length];
        System.arraycopy(bytes, offset, s, 0, length);
        return s;
    }

    private synchronized void frame(final int type, final int flags, final int stream, final byte[] payload)
        throws IOException
    {
        final byte[] header = {
            (byte)(payload.length >>> 16), (byte)(payload.length >>> 8), (byte)payload.length,
            (byte)type, (byte)flags,
            (byte)(stream >>> 24), (byte)(stream >>> 16), (byte)(stream >>> 8), (byte)stream};
        out.write(header);
        out.write(payload);
        out.flush();
    }

    /** A complete header block (HEADERS and its CONTINUATIONs) for {@code id}. */
    private void onHeaders(final int id, final int flags, final byte[] block) throws Http2Exception
    {
        final Http2Headers headers = decoder.decodeHeaders(id, Unpooled.wrappedBuffer(block));
        final Stream s = streams.get(id);
        if (s != null)
        {
            synchronized (s)
            {
                s.headers.add(headers);
            }
            if ((flags & END_STREAM) != 0)
            {
                s.closed.countDown();
            }
        }
    }

    /** A DATA frame: kept for the stream, and the flow-control window given back so the server keeps sending. */
    private void onData(final Stream stream, final int id, final int flags, final byte[] payload) throws IOException
    {
        if (stream != null)
        {
            synchronized (stream)
            {
                stream.data.write(payload);
                stream.dataFrames++;
            }
            if ((flags & END_STREAM) != 0)
            {
                stream.closed.countDown();
            }
        }
        final int length = payload.length;
        if (length > 0)
        {
            final byte[] increment =
                {(byte)(length >>> 24), (byte)(length >>> 16), (byte)(length >>> 8), (byte)length};
            frame(WINDOW_UPDATE, 0, 0, increment);
            if ((flags & END_STREAM) == 0)
            {
                frame(WINDOW_UPDATE, 0, id, increment);
            }
        }
    }

    private void read()
    {
        try
        {
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            ByteArrayOutputStream block = null;
            int blockStream = 0;
            int blockFlags = 0;
            while (true)
            {
                final int length =
                    (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                final int type = in.readUnsignedByte();
                final int flags = in.readUnsignedByte();
                final int id = in.readInt() & 0x7FFF_FFFF;
                final byte[] payload = new byte[length];
                in.readFully(payload);
                final Stream stream = streams.get(id);
                switch (type)
                {
                    case SETTINGS:
                        if ((flags & ACK) == 0)
                        {
                            frame(SETTINGS, ACK, 0, new byte[0]);
                        }
                        break;
                    case PING:
                        if ((flags & ACK) == 0)
                        {
                            frame(PING, ACK, 0, payload);
                        }
                        break;
                    case HEADERS:
                    case CONTINUATION:
                        if (type == HEADERS)
                        {
                            block = new ByteArrayOutputStream();
                            blockStream = id;
                            blockFlags = flags;
                        }
                        block.write(payload);
                        if ((flags & END_HEADERS) != 0)
                        {
                            onHeaders(blockStream, blockFlags, block.toByteArray());
                        }
                        break;
                    case DATA:
                        onData(stream, id, flags, payload);
                        break;
                    case RST_STREAM:
                        if (stream != null)
                        {
                            stream.resetCode = ((payload[0] & 0xFFL) << 24) | ((payload[1] & 0xFF) << 16) |
                                ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF);
                            stream.closed.countDown();
                        }
                        break;
                    case GOAWAY:
                        goAwayCode = ((payload[4] & 0xFFL) << 24) | ((payload[5] & 0xFF) << 16) |
                            ((payload[6] & 0xFF) << 8) | (payload[7] & 0xFF);
                        connectionClosed.countDown();
                        break;
                    default:
                        break;
                }
            }
        }
        catch (final Exception ex)
        {
            // EOF or a closed socket: the connection is over.
        }
        finally
        {
            connectionClosed.countDown();
            for (final Stream s : streams.values())
            {
                s.closed.countDown();
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
        try
        {
            reader.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

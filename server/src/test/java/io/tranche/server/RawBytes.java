package io.tranche.server;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** A gRPC marshaller of raw message bytes, for tests that send bytes the generated classes would never write. */
public final class RawBytes implements MethodDescriptor.Marshaller<byte[]>
{
    public static final RawBytes MARSHALLER = new RawBytes();

    private RawBytes()
    {
    }

    @Override
    public InputStream stream(final byte[] value)
    {
        return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(final InputStream stream)
    {
        try
        {
            return stream.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}

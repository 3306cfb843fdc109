package io.tranche.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.tranche.proto.v1.AllocationServiceGrpc;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.QueueServiceGrpc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** A real Netty server on an ephemeral loopback port, with a plaintext channel to it. */
public final class TestServer implements AutoCloseable
{
    public final TrancheServer server;
    public final ManagedChannel channel;

    private TestServer(final TrancheServer server)
    {
        this.server = server;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    public static ServerConfig config(final Path dir)
    {
        return new ServerConfig().listen("127.0.0.1", 0).dataDir(dir).gracePeriod(java.time.Duration.ofSeconds(2));
    }

    public static TestServer start(final Path dir) throws IOException
    {
        return start(config(dir));
    }

    public static TestServer start(final ServerConfig config) throws IOException
    {
        return new TestServer(TrancheServer.start(config));
    }

    public QueueServiceGrpc.QueueServiceBlockingStub queue()
    {
        return QueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    public QueueServiceGrpc.QueueServiceStub queueAsync()
    {
        return QueueServiceGrpc.newStub(channel);
    }

    public AllocationServiceGrpc.AllocationServiceBlockingStub allocation()
    {
        return AllocationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    public static CallCredentials bearer(final String token)
    {
        return new CallCredentials()
        {
            @Override
            public void applyRequestMetadata(final RequestInfo info, final Executor executor,
                final MetadataApplier applier)
            {
                final Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(headers);
            }
        };
    }

    public static Claim claim(final String id, final long demand)
    {
        return Claim.newBuilder().setId(id).setDemand(demand).build();
    }

    /** @return the field paths of the BadRequest carried by the error. */
    public static List<String> violations(final StatusRuntimeException ex)
    {
        final com.google.rpc.Status status = StatusProto.fromThrowable(ex);
        final List<String> fields = new ArrayList<>();
        if (status == null)
        {
            return fields;
        }
        for (final com.google.protobuf.Any any : status.getDetailsList())
        {
            if (any.is(BadRequest.class))
            {
                try
                {
                    for (final BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList())
                    {
                        fields.add(v.getField());
                    }
                }
                catch (final InvalidProtocolBufferException e)
                {
                    throw new AssertionError(e);
                }
            }
        }
        return fields;
    }

    @Override
    public void close()
    {
        channel.shutdownNow();
        try
        {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        server.close();
    }
}

package io.tranche.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.tranche.proto.v1.AllocateRequest;
import io.tranche.proto.v1.AllocateResponse;
import io.tranche.proto.v1.Claim;
import io.tranche.proto.v1.Method;
import io.tranche.proto.v1.Policy;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handler on a recording {@link ServerCall}: a failure of ours (here the request stream throws) is INTERNAL with
 * one log line, never UNKNOWN, and the next call on the same thread is answered normally.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AllocationServiceImplTest
{
    @Test
    void shouldMapAnUnexpectedRuntimeExceptionToInternalWithOneLogLineAndRecover() throws Exception
    {
        final AllocationServiceImpl service = new AllocationServiceImpl(100);
        @SuppressWarnings("unchecked")
        final ServerMethodDefinition<InputStream,
            InputStream> method = (ServerMethodDefinition<InputStream, InputStream>)
            service.bindService().getMethods().iterator().next();
        final ServerCallHandler<InputStream, InputStream> handler = method.getServerCallHandler();
        final int[] logged = new int[1];
        final Logger log = Logger.getLogger(AllocationServiceImpl.class.getName());
        final Handler counter = new Handler()
        {
            @Override
            public void publish(final LogRecord record)
            {
                logged[0]++;
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        log.addHandler(counter);
        try
        {
            final RecordingCall broken = new RecordingCall(method.getMethodDescriptor());
            final ServerCall.Listener<InputStream> listener = handler.startCall(broken, new Metadata());
            listener.onMessage(new InputStream()
            {
                @Override
                public int read()
                {
                    throw new IllegalStateException("a bug of ours");
                }

                @Override
                public int read(final byte[] b, final int off, final int len)
                {
                    throw new IllegalStateException("a bug of ours");
                }
            });
            assertThat(broken.status.getCode()).isEqualTo(Status.Code.INTERNAL);
            assertThat(broken.status.getDescription()).contains("a bug of ours");
            assertThat(logged[0]).isEqualTo(1);

            final AllocateRequest request = AllocateRequest.newBuilder().setSupply(10)
                .setPolicy(Policy.newBuilder().setMethod(Method.EQUAL))
                .addClaims(Claim.newBuilder().setId("a").setDemand(4))
                .addClaims(Claim.newBuilder().setId("b").setDemand(20)).build();
            final RecordingCall next = new RecordingCall(method.getMethodDescriptor());
            handler.startCall(next, new Metadata()).onMessage(new ByteArrayInputStream(request.toByteArray()));
            assertThat(next.status.getCode()).isEqualTo(Status.Code.OK);
            assertThat(AllocateResponse.parseFrom(next.response).getAllocated()).isEqualTo(10);
        }
        finally
        {
            log.removeHandler(counter);
        }
    }

    /** Records what the handler sends. */
    private static final class RecordingCall extends ServerCall<InputStream, InputStream>
    {
        private final MethodDescriptor<InputStream, InputStream> descriptor;
        Status status;
        byte[] response;

        RecordingCall(final MethodDescriptor<InputStream, InputStream> descriptor)
        {
            this.descriptor = descriptor;
        }

        @Override
        public void request(final int numMessages)
        {
        }

        @Override
        public void sendHeaders(final Metadata headers)
        {
        }

        @Override
        public void sendMessage(final InputStream message)
        {
            try
            {
                response = message.readAllBytes();
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void close(final Status status, final Metadata trailers)
        {
            this.status = status;
        }

        @Override
        public boolean isCancelled()
        {
            return false;
        }

        @Override
        public Attributes getAttributes()
        {
            return Attributes.EMPTY;
        }

        @Override
        public MethodDescriptor<InputStream, InputStream> getMethodDescriptor()
        {
            return descriptor;
        }
    }
}

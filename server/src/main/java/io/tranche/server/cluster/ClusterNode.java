package io.tranche.server.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.checksum.Checksums;
import io.aeron.archive.client.AeronArchive;
import io.aeron.Counter;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;

/**
 * One member of a tranche cluster in this process: an Aeron media driver, archive and consensus
 * module ({@link ClusteredMediaDriver}) and the {@link QueueClusteredService} in its container.
 * <p>
 * Each member is named {@code ID=HOST:PORT}; it uses six consecutive ports from PORT: ingress (PORT),
 * consensus (+1), log (+2), catch-up (+3), archive control (+4), log control (+5). Its files live under
 * the data directory: {@code aeron/} (the driver's buffers, rebuilt at start), {@code archive/} (the
 * replicated log, synced to disk) and {@code cluster/} (the recording log and snapshots' index).
 * <p>
 * Sized for a developer's machine: small terms, {@link ThreadingMode#SHARED} and idle strategies that
 * park after a short spin. Timeouts default to values tuned for loopback; Aeron's own system
 * properties ({@code aeron.cluster.leader.heartbeat.timeout} and friends) override them.
 */
public final class ClusterNode implements AutoCloseable
{
    /** Default leader heartbeat timeout: a follower starts an election after this long without the leader. */
    public static final long LEADER_HEARTBEAT_TIMEOUT_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(500);
    /** Default leader heartbeat interval. */
    public static final long LEADER_HEARTBEAT_INTERVAL_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(50);
    /** Default election timeout. */
    public static final long ELECTION_TIMEOUT_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(100);
    /** The default heartbeat timeout as {@code serve --help} shows it. */
    public static final String HEARTBEAT_TIMEOUT_HELP = "500ms";
    /** The default election timeout as {@code serve --help} shows it. */
    public static final String ELECTION_TIMEOUT_HELP = "250ms";
    /**
     * Default time a starting member waits to hear from the others before electing with a majority, in
     * leader heartbeat timeouts (Aeron wants a multiple of it).
     */
    public static final int STARTUP_CANVASS_HEARTBEAT_TIMEOUTS_DEFAULT = 4;
    /** Term length of the log (the longest command or answer is an eighth of it). */
    public static final int LOG_TERM_LENGTH = 4 << 20;
    /** Term length of other publications. */
    public static final int TERM_LENGTH = 1 << 20;

    /**
     * Sessions the leader holds at once, pending authentication included: the members' fronts need one each, and
     * unauthenticated peers are rejected within {@link ClusterAuthenticator#CHALLENGE_TIMEOUT_MS}, so that a burst
     * of them cannot take every slot.
     */
    public static final int MAX_CONCURRENT_SESSIONS = 128;
    /** A client session without a message or keepalive for this long is closed (the fronts send one each 0.5 s). */
    public static final long SESSION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private static final long SCHEDULE_INTERVAL_MS = 100;
    /**
     * A snapshot that took longer than this is paced: the next waits until the service has worked
     * {@link #WORK_PER_SNAPSHOT} times as long on the log, so that snapshots of a long history (every tranche is in
     * each) cost at most a fifth of the service's time, and a restart replays at most that much work. Below it a
     * snapshot is cheap next to the commands between two (a member whose code is still being compiled takes tens of
     * milliseconds for a handful of tranches, which must not hold back the next).
     */
    static final long PACED_SNAPSHOT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** See {@link #PACED_SNAPSHOT_NS}. */
    static final long WORK_PER_SNAPSHOT = 4;

    private final ClusteredMediaDriver driver;
    private final ClusteredServiceContainer container;
    private final QueueClusteredService service;
    private final Member self;
    private final List<Member> members;
    private final String aeronDir;
    private final Snapshots snapshots;
    private final Settings settings;
    private final MemberErrors errors;
    private final Thread scheduler;
    private final ConsensusModule.Context consensus;
    private boolean closed;
    private long snapshotsRequested;

    /**
     * When the leader asks the cluster for a snapshot: after {@code every} commands or {@code bytes} of
     * log since the latest one, whichever comes first.
     *
     * @param every commands, at least 1.
     * @param bytes log bytes, at least 1.
     */
    public record Snapshots(long every, long bytes)
    {
        /** The single-node server's defaults. */
        public static final Snapshots DEFAULT = new Snapshots(
            io.tranche.server.storage.Writer.Settings.SNAPSHOT_EVERY_DEFAULT,
            io.tranche.server.storage.Writer.Settings.SNAPSHOT_BYTES_DEFAULT);

        /** Checks the bounds. */
        public Snapshots
        {
            if (every < 1 || bytes < 1)
            {
                throw new IllegalArgumentException("--snapshot-every must be at least 1, was every=" + every +
                    " bytes=" + bytes);
            }
        }
    }

    private ClusterNode(
        final ClusteredMediaDriver driver,
        final ClusteredServiceContainer container,
        final QueueClusteredService service,
        final Member self,
        final List<Member> members,
        final String aeronDir,
        final Snapshots snapshots,
        final Settings settings,
        final MemberErrors errors)
    {
        this.settings = settings;
        this.errors = errors;
        this.driver = driver;
        this.container = container;
        this.service = service;
        this.self = self;
        this.members = members;
        this.aeronDir = aeronDir;
        this.snapshots = snapshots;
        this.consensus = driver.consensusModule().context();
        this.scheduler = new Thread(this::scheduleSnapshots, "tranche-cluster-snapshots-" + self.id());
        this.scheduler.setDaemon(true);
        this.scheduler.start();
    }

    /**
     * @param members  all members.
     * @return Aeron's {@code clusterMembers} string.
     */
    static String aeronMembers(final List<Member> members)
    {
        final StringBuilder text = new StringBuilder();
        for (final Member m : members)
        {
            if (text.length() > 0)
            {
                text.append('|');
            }
            text.append(m.aeronEntry());
        }
        return text.toString();
    }

    /**
     * @param members all members.
     * @return the client's ingress endpoints, {@code 0=HOST:PORT,1=...}.
     */
    public static String ingressEndpoints(final List<Member> members)
    {
        final StringBuilder text = new StringBuilder();
        for (final Member m : members)
        {
            if (text.length() > 0)
            {
                text.append(',');
            }
            text.append(m.id()).append('=').append(m.ingress());
        }
        return text.toString();
    }

    /**
     * Starts this member; it takes part in elections at once and is usable once the service reports a
     * leader ({@link ClusterCommandLog} waits for that).
     *
     * @param members  all members.
     * @param nodeId   this member's id.
     * @param dataDir  its directory.
     * @param maxQueue most claims in the queue.
     * @return the running member.
     */
    public static ClusterNode launch(
        final List<Member> members,
        final int nodeId,
        final Path dataDir,
        final int maxQueue)
    {
        return launch(members, nodeId, dataDir, maxQueue, Snapshots.DEFAULT);
    }

    /**
     * Starts this member, with its snapshot schedule; a data directory seeded by {@link ClusterSeed} starts
     * from the seed's state until the cluster's first snapshot.
     *
     * @param members   all members.
     * @param nodeId    this member's id.
     * @param dataDir   its directory.
     * @param maxQueue  most claims in the queue.
     * @param snapshots when the leader asks for a snapshot.
     * @return the running member.
     * @throws java.io.UncheckedIOException when the seed file is damaged.
     */
    public static ClusterNode launch(
        final List<Member> members,
        final int nodeId,
        final Path dataDir,
        final int maxQueue,
        final Snapshots snapshots)
    {
        return launch(members, nodeId, dataDir, maxQueue, snapshots, Settings.NONE);
    }

    /**
     * How a member trusts the others and its clients, and how soon it gives up on a leader.
     *
     * @param secret             the cluster's shared secret: ingress sessions must answer its challenge and commands
     *                           must carry its MAC; null for a cluster without one (loopback or {@code --insecure}).
     * @param checkpointEvery    log messages between state-hash checkpoints.
     * @param heartbeatTimeoutNs a follower starts an election after this long without the leader; 0 for the default
     *                           ({@link #LEADER_HEARTBEAT_TIMEOUT_NS_DEFAULT} or Aeron's system property).
     * @param electionTimeoutNs  how long an election round waits; 0 for the default.
     */
    public record Settings(ClusterSecret secret, int checkpointEvery, long heartbeatTimeoutNs, long electionTimeoutNs)
    {
        /** No secret, the default checkpoint interval and timeouts. */
        public static final Settings NONE = new Settings(null, QueueClusteredService.CHECKPOINT_EVERY_DEFAULT, 0, 0);

        /** Checks the bounds. */
        public Settings
        {
            if (checkpointEvery < 1)
            {
                throw new IllegalArgumentException("--checkpoint-every must be at least 1, was " + checkpointEvery);
            }
            if (heartbeatTimeoutNs < 0 || electionTimeoutNs < 0 ||
                heartbeatTimeoutNs > 0 && heartbeatTimeoutNs < TimeUnit.MILLISECONDS.toNanos(50))
            {
                throw new IllegalArgumentException("--heartbeat-timeout must be at least 50ms and " +
                    "--election-timeout positive, were " + TimeUnit.NANOSECONDS.toMillis(heartbeatTimeoutNs) +
                    "ms and " + TimeUnit.NANOSECONDS.toMillis(electionTimeoutNs) + "ms");
            }
        }
    }

    /**
     * Starts this member with its snapshot schedule and its settings.
     *
     * @param members   all members.
     * @param nodeId    this member's id.
     * @param dataDir   its directory.
     * @param maxQueue  most claims in the queue.
     * @param snapshots when the leader asks for a snapshot.
     * @param settings  the secret, the checkpoint interval and the timeouts.
     * @return the running member.
     */
    public static ClusterNode launch(
        final List<Member> members,
        final int nodeId,
        final Path dataDir,
        final int maxQueue,
        final Snapshots snapshots,
        final Settings settings)
    {
        return launch(new Context(members, nodeId, dataDir, maxQueue, snapshots, settings));
    }

    /**
     * Everything a member starts with, as the server's configuration concluded it: handed as is to
     * {@link #launch(Context)}, as Aeron's own contexts are.
     *
     * @param members   all members.
     * @param nodeId    this member's id.
     * @param dataDir   its directory.
     * @param maxQueue  most claims in the queue.
     * @param snapshots when the leader asks for a snapshot.
     * @param settings  the secret, the checkpoint interval and the timeouts.
     */
    public record Context(
        List<Member> members, int nodeId, Path dataDir, int maxQueue, Snapshots snapshots, Settings settings)
    {
        /** Checks what a member cannot start without. */
        public Context
        {
            if (nodeId < 0 || nodeId >= members.size())
            {
                throw new IllegalArgumentException("--node-id must be 0.." + (members.size() - 1) + ", was " + nodeId);
            }
            members = List.copyOf(members);
        }
    }

    /**
     * Starts this member.
     *
     * @param context what it starts with.
     * @return the running member.
     */
    public static ClusterNode launch(final Context context)
    {
        final List<Member> members = context.members();
        final int nodeId = context.nodeId();
        final Path dataDir = context.dataDir();
        final int maxQueue = context.maxQueue();
        final Snapshots snapshots = context.snapshots();
        final Settings settings = context.settings();
        final Member self = members.get(nodeId);
        final File base = dataDir.toAbsolutePath().toFile();
        final String aeronDir = new File(base, "aeron").getPath();
        final MemberErrors errors = new MemberErrors("node " + nodeId);
        final Supplier<IdleStrategy> idle = ClusterNode::idleStrategy;

        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idleStrategy())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(TERM_LENGTH)
            .ipcTermBufferLength(LOG_TERM_LENGTH)
            .errorHandler(errors);

        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(base, "archive"))
            .archiveId(nodeId)
            .controlChannel("aeron:udp?endpoint=" + self.host() + ":" + (self.port() + 4))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + self.host() + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(idle)
            .segmentFileLength(4 * LOG_TERM_LENGTH)
            // CRC-32C of every fragment when recorded, checked when replayed: damaged log data is refused.
            .recordChecksum(Checksums.crc32c())
            .replayChecksum(Checksums.crc32c())
            // Acknowledged means a majority recorded it; syncing also makes it survive all nodes losing power.
            .fileSyncLevel(1)
            .catalogFileSyncLevel(1)
            .errorHandler(errors);

        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveContext.localControlChannel())
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(archiveContext.localControlChannel())
            .aeronDirectoryName(aeronDir);

        final ConsensusModule.Context consensusContext = consensusContext(members, self, base, aeronDir, settings)
            .archiveContext(archiveClient.clone())
            .idleStrategySupplier(idle)
            .errorHandler(errors);

        try
        {
            java.nio.file.Files.createDirectories(base.toPath());
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot create --data-dir " + base, ex);
        }
        // Tranches and the ledger's tree on the member's disk; rewritten from the snapshot and log at start.
        RecordingChecksums.migrate(new File(base, "archive"));
        final QueueClusteredService service = new QueueClusteredService(maxQueue, ClusterSeed.load(dataDir),
            base.toPath().resolve(ClusterLedger.FILE), settings.secret(), members.size(), settings.checkpointEvery());
        final ClusteredServiceContainer.Context containerContext = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(base, "cluster"))
            .clusteredService(service)
            .idleStrategySupplier(idle)
            .errorHandler(errors);

        ClusteredMediaDriver driver = null;
        try
        {
            driver = ClusteredMediaDriver.launch(driverContext, archiveContext, consensusContext);
            errors.service(service);
            RecordingChecksums.markEnabled(new File(base, "archive"));
            final ClusteredServiceContainer container = ClusteredServiceContainer.launch(containerContext);
            return new ClusterNode(driver, container, service, self, List.copyOf(members), aeronDir, snapshots,
                settings, errors);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            service.closeLedger();
            throw ex;
        }
    }

    /**
     * Removes the Aeron mark files of a member whose process ended (a SIGKILL leaves them with a fresh activity
     * timestamp, and Aeron then refuses to start for several seconds: "active mark file detected"). Call it only
     * while holding the data directory's lock: that lock proves no live process uses these files. Nothing in them is
     * state (the candidate term is in {@code cluster/node-state.dat}, which stays).
     *
     * @param dataDir the member's data directory.
     * @return the files removed.
     */
    public static int clearMarkFiles(final Path dataDir)
    {
        int removed = 0;
        final List<Path> candidates = new ArrayList<>(List.of(dataDir.resolve("archive").resolve("archive-mark.dat"),
            dataDir.resolve("cluster").resolve("cluster-mark.dat")));
        try (java.nio.file.DirectoryStream<Path> service = java.nio.file.Files.newDirectoryStream(
            dataDir.resolve("cluster"), "cluster-mark-service-*.dat"))
        {
            service.forEach(candidates::add);
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            return 0;
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot list " + dataDir.resolve("cluster"), ex);
        }
        for (final Path file : candidates)
        {
            try
            {
                removed += java.nio.file.Files.deleteIfExists(file) ? 1 : 0;
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException("cannot remove the stale mark file " + file, ex);
            }
        }
        return removed;
    }

    private static ConsensusModule.Context consensusContext(
        final List<Member> members, final Member self, final File base, final String aeronDir, final Settings settings)
    {
        final ConsensusModule.Context consensusContext = new ConsensusModule.Context()
            .clusterMemberId(self.id())
            .clusterMembers(aeronMembers(members))
            .clusterDir(new File(base, "cluster"))
            .aeronDirectoryName(aeronDir)
            .ingressChannel("aeron:udp?term-length=" + TERM_LENGTH)
            .logChannel("aeron:udp?term-length=" + LOG_TERM_LENGTH + "|control-mode=manual|control=" +
                self.host() + ":" + (self.port() + 5))
            .replicationChannel("aeron:udp?endpoint=" + self.host() + ":0")
            .sessionTimeoutNs(SESSION_TIMEOUT_NS)
            .maxConcurrentSessions(MAX_CONCURRENT_SESSIONS);
        if (settings.secret() != null)
        {
            consensusContext.authenticatorSupplier(ClusterAuthenticator.supplier(settings.secret()));
        }
        if (settings.heartbeatTimeoutNs() > 0)
        {
            // The leader beats ten times per timeout: one lost or late heartbeat never starts an election.
            consensusContext.leaderHeartbeatTimeoutNs(settings.heartbeatTimeoutNs())
                .leaderHeartbeatIntervalNs(
                    Math.max(TimeUnit.MILLISECONDS.toNanos(5), settings.heartbeatTimeoutNs() / 10));
        }
        else
        {
            timeout("aeron.cluster.leader.heartbeat.timeout", LEADER_HEARTBEAT_TIMEOUT_NS_DEFAULT,
                consensusContext::leaderHeartbeatTimeoutNs);
            timeout("aeron.cluster.leader.heartbeat.interval", LEADER_HEARTBEAT_INTERVAL_NS_DEFAULT,
                consensusContext::leaderHeartbeatIntervalNs);
        }
        if (settings.electionTimeoutNs() > 0)
        {
            consensusContext.electionTimeoutNs(settings.electionTimeoutNs());
        }
        else
        {
            timeout("aeron.cluster.election.timeout", ELECTION_TIMEOUT_NS_DEFAULT,
                consensusContext::electionTimeoutNs);
        }
        timeout("aeron.cluster.startup.canvass.timeout",
            STARTUP_CANVASS_HEARTBEAT_TIMEOUTS_DEFAULT * consensusContext.leaderHeartbeatTimeoutNs(),
            consensusContext::startupCanvassTimeoutNs);
        return consensusContext;
    }

    private static void timeout(final String property, final long defaultNs, final java.util.function.LongConsumer set)
    {
        if (System.getProperty(property) == null)
        {
            set.accept(defaultNs);
        }
    }

    /** @return park after a short spin: several agents share 2 cores on a developer's machine. */
    static IdleStrategy idleStrategy()
    {
        // Experiments only (not a supported setting): spins,yields,minParkMicros,maxParkMicros.
        final String tuned = System.getProperty("tranche.cluster.idle");
        if (tuned != null)
        {
            final String[] f = tuned.split(",");
            return new BackoffIdleStrategy(Long.parseLong(f[0]), Long.parseLong(f[1]),
                TimeUnit.MICROSECONDS.toNanos(Long.parseLong(f[2])),
                TimeUnit.MICROSECONDS.toNanos(Long.parseLong(f[3])));
        }
        return new BackoffIdleStrategy(10, 5, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * @return true while this member's consensus module runs an election: it has no leader to send a
     *         command to (the leader was lost, or no majority answers).
     */
    public synchronized boolean electing()
    {
        final Counter state = driver.consensusModule().context().electionStateCounter();
        return !closed && state != null && !state.isClosed() && ElectionState.get(state) != ElectionState.CLOSED;
    }

    /** @return the service (state and reads). */
    public QueueClusteredService service()
    {
        return service;
    }

    /** @return this member. */
    public Member self()
    {
        return self;
    }

    /** @return all members. */
    public List<Member> members()
    {
        return members;
    }

    /** @return the Aeron directory (for clients in this process). */
    public String aeronDir()
    {
        return aeronDir;
    }

    // The node's own thread, not the deterministic service: the leader asks every member for a snapshot
    // through the consensus module's control toggle, as Aeron's ClusterTool snapshot does.
    private void scheduleSnapshots()
    {
        while (true)
        {
            try
            {
                Thread.sleep(SCHEDULE_INTERVAL_MS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            synchronized (this)
            {
                if (closed)
                {
                    return;
                }
                if (snapshotDue() && ClusterControl.ToggleState.SNAPSHOT.toggle(consensus.controlToggleCounter()))
                {
                    snapshotsRequested++;
                }
            }
        }
    }

    private boolean snapshotDue()
    {
        if (role() != Cluster.Role.LEADER || !service.started())
        {
            return false;
        }
        return snapshotDue(snapshots, service.commandsSinceSnapshot(),
            service.appliedPosition() - service.snapshotPosition(), service.busyNanosSinceSnapshot(),
            service.lastSnapshotNanos());
    }

    /**
     * @param snapshots         the commands and log bytes between snapshots.
     * @param commands          commands since the last snapshot.
     * @param logBytes          log bytes since the last snapshot.
     * @param busyNanos         the service's time on the log since the last snapshot.
     * @param lastSnapshotNanos the last snapshot's time (0 before one).
     * @return whether the leader asks for a snapshot now.
     */
    static boolean snapshotDue(final Snapshots snapshots, final long commands, final long logBytes,
        final long busyNanos, final long lastSnapshotNanos)
    {
        final boolean counted = commands >= snapshots.every() || commands > 0 && logBytes >= snapshots.bytes();
        return counted &&
            (lastSnapshotNanos <= PACED_SNAPSHOT_NS || busyNanos >= WORK_PER_SNAPSHOT * lastSnapshotNanos);
    }

    /** @return this node's role as its consensus module holds it, null once closed. */
    public synchronized Cluster.Role role()
    {
        final Counter counter = consensus.clusterNodeRoleCounter();
        return closed || counter == null || counter.isClosed() ? null : Cluster.Role.get(counter);
    }

    /** @return the leadership term this node is in, -1 when unknown (closed). */
    public synchronized long leadershipTermId()
    {
        final Counter counter = consensus.leadershipTermIdCounter();
        return closed || counter == null || counter.isClosed() ? -1 : counter.get();
    }

    /** @return the log position this node knows committed by a majority, -1 when unknown (closed). */
    public synchronized long commitPosition()
    {
        final Counter counter = consensus.commitPositionCounter();
        return closed || counter == null || counter.isClosed() ? -1 : counter.get();
    }

    /** @return snapshots this node's consensus module has taken since it started, -1 when closed. */
    public synchronized long snapshotCount()
    {
        final Counter counter = consensus.snapshotCounter();
        return closed || counter == null || counter.isClosed() ? -1 : counter.get();
    }

    /** @return snapshots this node asked the cluster for (as leader) since it started. */
    public synchronized long snapshotsRequested()
    {
        return snapshotsRequested;
    }

    /** @return why this member's recorded log cannot be trusted (a recording's checksum failed), or null. */
    public String damage()
    {
        return errors.damage();
    }

    /** @return the secret, the checkpoint interval and the timeouts. */
    public Settings settings()
    {
        return settings;
    }

    /** @return the snapshot schedule. */
    public Snapshots snapshots()
    {
        return snapshots;
    }

    /**
     * Closes this member, waiting at most {@code timeout}: an Aeron agent that spins (an archive replaying a
     * recording that fails its checksum has been seen not to stop) must not keep a refused start from exiting.
     *
     * @param timeout how long to wait.
     * @return whether it closed within it; if not, its threads are left to the process's exit.
     */
    public boolean close(final java.time.Duration timeout)
    {
        final Thread closer = new Thread(this::close, "tranche-cluster-close-" + self.id());
        closer.setDaemon(true);
        closer.start();
        try
        {
            closer.join(timeout.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive())
        {
            System.err.println("tranche: cluster node " + self.id() + " did not stop within " + timeout.toSeconds() +
                " s (an Aeron agent is stuck); leaving it to the process's exit");
            return false;
        }
        return true;
    }

    @Override
    public void close()
    {
        synchronized (this)
        {
            // Counters live in the driver's mapped file: no status read may run while it is unmapped.
            closed = true;
        }
        scheduler.interrupt();
        CloseHelper.closeAll(container, driver, service::closeLedger);
    }
}

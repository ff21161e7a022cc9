/**
 * The interconnect of the emulated MPP as plain, deterministic, single-threaded Java that node
 * actors host; no actor code and no Pekko here.
 *
 * <ul>
 *   <li><b>Topology</b>: {@link io.uniform.interconnect.Mesh} (dimension-order
 *       {@link io.uniform.interconnect.Route}s, hop counts) and
 *       {@link io.uniform.interconnect.LatencyModel} (virtual transfer time).</li>
 *   <li><b>Channels</b>: FIFO per (sender process, receiver process) with sequence numbers
 *       and credit flow control: {@link io.uniform.interconnect.ChannelSender} and
 *       {@link io.uniform.interconnect.ChannelReceiver}.</li>
 *   <li><b>Location</b>: {@link io.uniform.interconnect.LocationDirectory} maps the
 *       {@link io.uniform.interconnect.ProcessId} that guest code holds, which never changes,
 *       to the {@link io.uniform.interconnect.Location} where the process runs now.</li>
 * </ul>
 *
 * <p>Values that cross threads or JVMs are records and immutable. The state machines
 * (mesh excepted) are not thread-safe: each lives inside one actor.
 */
package io.uniform.interconnect;

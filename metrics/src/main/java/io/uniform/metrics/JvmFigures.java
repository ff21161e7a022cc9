package io.uniform.metrics;

import io.uniform.node.CborSerializable;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * A member JVM's figures: heap used and its limit, garbage collections and the time they took
 * since the JVM started (every collector added up), the share of the host's CPU the JVM used
 * lately (0 to 1; 0 until the JVM can tell), and the processors it sees.
 */
public record JvmFigures(long heapUsedBytes, long heapMaxBytes, long gcCollections, double gcSeconds, double cpuLoad, int processors)
        implements CborSerializable {
    /** This JVM's figures now. */
    public static JvmFigures now() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long collections = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += Math.max(0, collector.getCollectionCount());
            gcMillis += Math.max(0, collector.getCollectionTime());
        }
        double cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuLoad()) : 0;
        return new JvmFigures(heap.getUsed(), heap.getMax(), collections, gcMillis / 1000.0, cpu,
                Runtime.getRuntime().availableProcessors());
    }
}

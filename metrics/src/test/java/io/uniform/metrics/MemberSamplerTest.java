package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.uniform.node.Machine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MemberSamplerTest {
    @Test
    void aReportCarriesOnlyTheJobsThatFailedLastTheLatestFirst() {
        List<Machine.FailedJob> failed = new ArrayList<>(IntStream.rangeClosed(1, 64)
                .mapToObj(jobId -> new Machine.FailedJob(jobId, "alltoall", List.of(1, 2), List.of("127.0.0.1:25520"), 1_000L * jobId, "lost"))
                .toList());
        Collections.shuffle(failed, new Random(6));
        List<Integer> reported = MemberSampler.latest(failed).stream().map(Machine.FailedJob::jobId).toList();
        assertEquals(List.of(64, 63, 62, 61, 60, 59, 58, 57), reported);
        assertEquals(List.of(), MemberSampler.latest(List.of()));
    }
}

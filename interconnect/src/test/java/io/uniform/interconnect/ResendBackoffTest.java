package io.uniform.interconnect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResendBackoffTest {
    /** The intervals, counted from 1, at which {@code backoff} sends again over {@code intervals} intervals of {@code progress}. */
    private static List<Integer> resendsAt(ResendBackoff backoff, long[] progress) {
        List<Integer> resends = new ArrayList<>();
        for (int interval = 0; interval < progress.length; interval++) {
            if (backoff.dueAt(progress[interval])) {
                resends.add(interval + 1);
            }
        }
        return resends;
    }

    @Test
    void whileStalledResendsLet1Then2Then4ThenEvery8IntervalsPass() {
        // The first interval finds the answers counted anew; from the second one nothing comes.
        assertEquals(List.of(2, 4, 7, 12, 21, 30), resendsAt(new ResendBackoff(), new long[31]));
    }

    @Test
    void progressStartsTheBackoffAfresh() {
        ResendBackoff backoff = new ResendBackoff();
        long[] progress = new long[12];
        progress[5] = 1; // an answer during the fifth interval, then silence again
        java.util.Arrays.fill(progress, 6, progress.length, 1);
        assertEquals(List.of(2, 4, 7, 9, 12), resendsAt(backoff, progress));
    }
}

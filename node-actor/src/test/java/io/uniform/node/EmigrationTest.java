package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a move resends while its destination is silent. */
class EmigrationTest {
    @Test
    void aStalledHandoffIsResentWholeWithGrowingIntervalsBetween() {
        Emigration emigration = new Emigration("move-1", new NodeActor.Migrate(1, 2, null), 0, null, 0);
        List<NodeActor.HandoffPart> handoff = List.of(new NodeActor.HandoffPart("move-1", 0, 2, new byte[1]),
                new NodeActor.HandoffPart("move-1", 1, 2, new byte[1]));
        emigration.step = Emigration.Step.HANDED_OFF;
        emigration.handoff = handoff;
        List<Integer> resentAt = new ArrayList<>();
        for (int interval = 1; interval <= 21; interval++) {
            List<NodeActor.MoveStep> overdue = emigration.overdue();
            if (!overdue.isEmpty()) {
                assertEquals(handoff, overdue, "the whole handoff goes again");
                resentAt.add(interval);
            }
        }
        assertEquals(List.of(2, 4, 7, 12, 21), resentAt, "1, 2, 4, then 8 intervals pass between resends");

        emigration.progress++; // the destination answered: the next stall is resent at once
        emigration.overdue();
        assertEquals(handoff, emigration.overdue());
    }
}

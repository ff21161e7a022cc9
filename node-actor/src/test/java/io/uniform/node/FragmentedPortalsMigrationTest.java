package io.uniform.node;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/**
 * {@link PortalsMigrationTest} with every put and reply of more than 8 bytes sent in fragments
 * (its puts carry up to 64 bytes, its gets' replies 32): the mover leaves, and arrives, with
 * fragments of its peer's puts taken and set aside, on their way, and waiting in its inbox, and
 * the program still checks every event, offset, reply and acknowledgment exactly.
 */
class FragmentedPortalsMigrationTest extends PortalsMigrationTest {
    @Override
    ActorTestKit newTestKit() {
        return TestKits.serializing("uniform.portals.fragment-bytes = 8B");
    }
}

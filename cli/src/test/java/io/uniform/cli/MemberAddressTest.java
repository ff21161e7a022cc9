package io.uniform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Member addresses as `--cluster` and `member --join` take them: one, or several to join through the first that answers. */
class MemberAddressTest {
    @Test
    void severalAddressesAreEachCheckedAndWrittenBackInOrder() {
        assertEquals(List.of(new MemberAddress("127.0.0.1", 2552), new MemberAddress("node7", 2553)),
                MemberAddress.parseList("127.0.0.1:2552, node7:2553"));
        assertEquals("127.0.0.1:2552,node7:2553", ClusterOptions.normalized("127.0.0.1:2552 ,node7:2553"));
        assertEquals("127.0.0.1:2552", ClusterOptions.normalized("127.0.0.1:2552"));
    }

    @Test
    void aBadAddressAmongSeveralIsNamed() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ClusterOptions.normalized("127.0.0.1:2552,node7"));
        assertEquals("'node7' is not HOST:PORT", bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClusterOptions.normalized("127.0.0.1:2552,"));
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> ClusterOptions.normalized("a:1,b:70000"));
        assertEquals("'b:70000': the port must be a number from 1 to 65535", port.getMessage());
    }
}

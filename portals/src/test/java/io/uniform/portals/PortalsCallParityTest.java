package io.uniform.portals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code guest/include/uniform_portals_abi.h} and {@link PortalsCall} describe the same call:
 * the op numbers, and every offset and size of every argument block, name by name in both
 * directions; and {@code uniform.h}'s call and trap numbers are {@link PortalsCall}'s.
 */
class PortalsCallParityTest {
    private static final Pattern OP = Pattern.compile("(?m)^#define\\s+UK_PTL_OP_(\\w+)\\s+(\\d+)\\b");

    @Test
    void theOpNumbersAreTheHeadersAndViceVersa() throws IOException {
        Map<String, Integer> inHeader = new TreeMap<>();
        Matcher ops = OP.matcher(HeaderParityTest.guestFile("include/uniform_portals_abi.h"));
        while (ops.find()) {
            inHeader.put(ops.group(1), Integer.parseInt(ops.group(2)));
        }
        Map<String, Integer> inJava = new TreeMap<>();
        for (PortalsCall call : PortalsCall.values()) {
            inJava.put(call.name(), call.number());
        }
        assertEquals(24, inJava.size());
        assertEquals(List.of(), HeaderParityTest.differences(inJava, inHeader));
    }

    @Test
    void everyBlockOffsetAndSizeIsTheHeadersAndViceVersa() throws IOException {
        Map<String, Integer> inJava = HeaderParityTest.layoutOf(
                Arrays.stream(PortalsCall.values()).map(PortalsCall::block).toList());
        Map<String, Integer> inHeader = HeaderParityTest.layoutAsserts(
                HeaderParityTest.guestFile("include/uniform_portals_abi.h"));
        assertEquals(129, inJava.size(), "every block");
        assertEquals(List.of(), HeaderParityTest.differences(inJava, inHeader));
    }

    @Test
    void theCallAndTrapNumbersAreUniformHs() throws IOException {
        String header = HeaderParityTest.guestFile("include/uniform.h");
        assertEquals(PortalsCall.UK_SYS_PORTALS, define(header, "UK_SYS_portals"));
        assertEquals(PortalsCall.PUMA_TRAP_PORTALS, define(header, "PUMA_TRAP_PORTALS"));
    }

    private static int define(String header, String name) {
        Matcher matcher = Pattern.compile("(?m)^#define\\s+" + name + "\\s+(\\w+)").matcher(header);
        assertTrue(matcher.find(), name + " is defined");
        return (int) HeaderParityTest.cValue(matcher.group(1));
    }

    /** Members in order, not overlapping, inside the block; 64-bit members 8-aligned, as RV32 lays them out. */
    @Test
    void everyBlockIsACStructure() {
        List<String> problems = new ArrayList<>();
        for (PortalsCall call : PortalsCall.values()) {
            Layout.Struct block = call.block();
            int end = 0;
            for (Layout.Field field : block.fields()) {
                boolean wide = field.size() == 8 && !field.cName().endsWith("_id") || field.size() == Layout.MdT.SIZE;
                if (field.offset() < end || field.offset() % (wide ? 8 : 4) != 0) {
                    problems.add(block.cType() + "." + field.cName() + " at " + field.offset());
                }
                end = field.offset() + field.size();
            }
            if (end > block.size() || block.size() % 4 != 0) {
                problems.add(block.cType() + " is " + block.size() + " bytes but its members end at " + end);
            }
            assertSame(call, PortalsCall.of(call.number()));
        }
        assertEquals(List.of(), problems);
        assertNull(PortalsCall.of(0));
        assertNull(PortalsCall.of(25));
        assertNull(PortalsCall.of(-1));
    }
}

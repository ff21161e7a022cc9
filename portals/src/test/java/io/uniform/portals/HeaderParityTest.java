package io.uniform.portals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code guest/include/portals.h} and the engine describe the same memory: the header's
 * {@code _Static_assert}s (which the cross compiler checks on its side) must state exactly the
 * offsets and sizes of {@link Layout}, and its constants must be those of {@link Ptl}, name by
 * name, in both directions.
 */
class HeaderParityTest {
    private static final Pattern OFFSET = Pattern.compile(
            "_Static_assert\\(\\s*offsetof\\(\\s*([\\w ]+?)\\s*,\\s*([\\w.]+)\\s*\\)\\s*==\\s*(\\d+)\\s*,");
    private static final Pattern SIZE = Pattern.compile(
            "_Static_assert\\(\\s*sizeof\\(\\s*([\\w ]+?)\\s*\\)\\s*==\\s*(\\d+)\\s*,");
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+((?:UK_)?PTL_\\w+)\\s+(.+?)\\s*(?:/\\*.*)?$");
    private static final Pattern ENUMERATOR = Pattern.compile("(?m)^\\s+(PTL_\\w+)\\s*=\\s*(\\d+)\\s*,?\\s*$");

    static String header() throws IOException {
        return guestFile("include/portals.h");
    }

    /** A file of the guest directory, as the build names it (or {@code ../guest}). */
    static String guestFile(String relative) throws IOException {
        String configured = System.getProperty("uniform.guest.dir");
        Path guest = configured != null ? Path.of(configured) : Path.of("..", "guest");
        return Files.readString(guest.resolve(relative));
    }

    /** Every {@code _Static_assert} of an offset or a size in {@code header}, as "offsetof(type, member)" -> value. */
    static Map<String, Integer> layoutAsserts(String header) {
        Map<String, Integer> asserts = new TreeMap<>();
        Matcher offsets = OFFSET.matcher(header);
        while (offsets.find()) {
            asserts.put("offsetof(" + offsets.group(1) + ", " + offsets.group(2) + ")", Integer.parseInt(offsets.group(3)));
        }
        Matcher sizes = SIZE.matcher(header);
        while (sizes.find()) {
            asserts.put("sizeof(" + sizes.group(1) + ")", Integer.parseInt(sizes.group(2)));
        }
        return asserts;
    }

    /** The same names for Java's layout tables. */
    static Map<String, Integer> layoutOf(List<Layout.Struct> structs) {
        Map<String, Integer> layout = new TreeMap<>();
        for (Layout.Struct struct : structs) {
            layout.put("sizeof(" + struct.cType() + ")", struct.size());
            for (Layout.Field field : struct.fields()) {
                layout.put("offsetof(" + struct.cType() + ", " + field.cName() + ")", field.offset());
            }
        }
        return layout;
    }

    @Test
    void everyOffsetAndSizeInTheHeaderIsTheEnginesAndViceVersa() throws IOException {
        Map<String, Integer> inJava = layoutOf(Layout.all());
        assertTrue(inJava.size() > 80, "the table is the whole layout: " + inJava.size());
        assertEquals(List.of(), differences(inJava, layoutAsserts(header())));
    }

    @Test
    void everyConstantInTheHeaderIsTheEnginesAndViceVersa() throws IOException {
        String header = header();
        Map<String, Long> inHeader = new TreeMap<>();
        Matcher defines = DEFINE.matcher(header);
        while (defines.find()) {
            inHeader.put(defines.group(1), (long) (int) cValue(defines.group(2)));
        }
        Matcher enumerators = ENUMERATOR.matcher(header);
        while (enumerators.find()) {
            inHeader.put(enumerators.group(1), Long.parseLong(enumerators.group(2)));
        }
        assertTrue(inHeader.size() > 70, "the header's constants were found: " + inHeader.size());
        assertEquals(List.of(), differences(Ptl.all(), inHeader));
    }

    /** What differs between the engine's table and the header's, one line a name. */
    static <V> List<String> differences(Map<String, V> java, Map<String, V> header) {
        List<String> differences = new ArrayList<>();
        java.forEach((name, value) -> {
            if (!value.equals(header.get(name))) {
                differences.add(name + ": engine " + value + ", header " + header.get(name));
            }
        });
        header.keySet().stream().filter(name -> !java.containsKey(name))
                .forEach(name -> differences.add(name + ": only in the header"));
        return differences;
    }

    /** The value of a constant expression of the header: a literal under casts and parentheses. */
    static long cValue(String expression) {
        String literal = expression.replaceAll("\\((?:const\\s+)?[a-z_]+(?:\\s*\\*)?\\)", "")
                .replaceAll("[()\\s]", "")
                .replaceAll("(?i)(?<=[0-9a-f])u$", "");
        return Long.decode(literal);
    }

    @Test
    void theHeaderParserReadsCastsAndSuffixes() {
        assertEquals(0xffffffffL, cValue("((ptl_nid_t)0xffffffffu)"));
        assertEquals(-1, cValue("(-1)"));
        assertEquals(-1, cValue("((ptl_time_t)-1)"));
        assertEquals(0, cValue("((ptl_eq_handler_t)0)"));
        assertEquals(0x0100, cValue("0x0100"));
    }

    @Test
    void theReturnCodeNamesAreTheirValues() {
        Map<String, Long> all = Ptl.all();
        for (int code = Ptl.PTL_OK; code < Ptl.PTL_MAX_ERRNO; code++) {
            assertEquals(code, all.get(Ptl.errorName(code)), Ptl.errorName(code));
        }
        assertEquals("PTL_UNKNOWN_ERROR(99)", Ptl.errorName(99));
    }

    /**
     * The table itself: members in order, word aligned, inside the structure, not overlapping (the
     * 8-byte alignment of 64-bit members is the compiler's, pinned by the header's asserts).
     */
    @Test
    void everyLayoutIsACStructure() {
        List<String> problems = new ArrayList<>();
        for (Layout.Struct struct : Layout.all()) {
            int end = 0;
            for (Layout.Field field : struct.fields()) {
                if (field.offset() < end) {
                    problems.add(struct.cType() + "." + field.cName() + " overlaps the member before it");
                }
                if (field.offset() % 4 != 0) {
                    problems.add(struct.cType() + "." + field.cName() + " is not word aligned");
                }
                end = field.offset() + field.size();
            }
            if (end > struct.size() || struct.size() % 4 != 0) {
                problems.add(struct.cType() + " is " + struct.size() + " bytes but its members end at " + end);
            }
        }
        assertEquals(List.of(), problems);
    }
}

package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.isa.Decoder;
import io.uniform.cpu.isa.Isa;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Invariants of the instruction table that the decoder and the interpreter rely on. */
class IsaTableTest {

    @Test
    void tableIsIndexedByIdWithDenseIds() {
        for (int i = 0; i < Isa.TABLE.size(); i++) {
            assertEquals(i, Isa.TABLE.get(i).id(), "TABLE[" + i + "] is " + Isa.TABLE.get(i).mnemonic());
            assertEquals(Isa.TABLE.get(i), Isa.spec(i));
        }
        assertEquals(Isa.WFI + 1, Isa.TABLE.size(), "the last id is WFI and ids are dense");
    }

    @Test
    void idsFitTheInterpretersOpByteAndDoNotCollideWithUndecoded() {
        for (Isa.Spec spec : Isa.TABLE) {
            assertTrue(spec.id() >= 0 && spec.id() < io.uniform.cpu.memory.DecodedPage.UNDECODED, spec.mnemonic());
        }
    }

    @Test
    void noTwoSpecsMatchTheSameWord() {
        List<String> overlaps = new ArrayList<>();
        for (Isa.Spec a : Isa.TABLE) {
            for (Isa.Spec b : Isa.TABLE) {
                if (a.id() >= b.id() || a.id() == Isa.ILLEGAL || b.id() == Isa.ILLEGAL) {
                    continue;
                }
                if ((a.mask() & b.mask() & (a.match() ^ b.match())) == 0) {
                    overlaps.add(a.mnemonic() + "/" + b.mnemonic());
                }
            }
        }
        assertEquals(List.of(), overlaps);
    }

    @Test
    void matchHasNoBitsOutsideMaskAndEveryMatchDecodesToItsSpec() {
        for (Isa.Spec spec : Isa.TABLE) {
            if (spec.id() == Isa.ILLEGAL) {
                continue;
            }
            assertEquals(0, spec.match() & ~spec.mask(), spec.mnemonic());
            assertEquals(0x7f, spec.mask() & 0x7f, spec.mnemonic() + " must fix the major opcode");
            assertEquals(spec.id(), Decoder.lookup(spec.match()).id(), spec.mnemonic());
        }
    }

    @Test
    void mnemonicsAreUnique() {
        Set<String> seen = new HashSet<>();
        for (Isa.Spec spec : Isa.TABLE) {
            assertTrue(seen.add(spec.mnemonic()), "duplicate mnemonic " + spec.mnemonic());
        }
    }

    @Test
    void illegalSpecMatchesEverythingAndIsWhatUnknownWordsDecodeTo() {
        Isa.Spec illegal = Isa.spec(Isa.ILLEGAL);
        assertEquals(0, illegal.mask());
        assertEquals(Isa.ILLEGAL, Decoder.lookup(0x00000000).id());
        assertEquals(Isa.ILLEGAL, Decoder.lookup(0xffffffff).id());
    }
}

package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.isa.Csr;
import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import org.junit.jupiter.api.Test;

/** Restoring a hart state, and the trap value of an illegal CSR access. */
class HartStateTest {
    private static final int BASE = 0x10000;

    private final FlatAddressSpace space = FlatAddressSpace.covering(new PhysicalMemory(1 << 16), BASE);

    @Test
    void aProcessHartRefusesAStateInMachinePrivilege() {
        Hart machine = new Hart(ExecutionMode.MACHINE, space);
        HartState inMachineMode = machine.capture();
        Hart process = new Hart(ExecutionMode.PROCESS, space);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> process.restore(inMachineMode));
        assertTrue(refused.getMessage().contains("privilege 3"), refused.getMessage());
    }

    @Test
    void aStateWithAnUnknownPrivilegeIsRefusedEvenInMachineMode() {
        Hart machine = new Hart(ExecutionMode.MACHINE, space);
        HartState captured = machine.capture();
        HartState supervisor = new HartState(captured.pc(), captured.registers(), 1, 0, 0, captured.machineCsrs());
        assertThrows(IllegalArgumentException.class, () -> machine.restore(supervisor));
    }

    @Test
    void anIllegalCsrAccessReportsTheInstructionWordInTval() {
        TestAssembler asm = new TestAssembler(BASE);
        int word = TestAssembler.encodeCsr(Isa.CSRRW, 10, Csr.MSTATUS, 11); // machine CSR from user mode
        asm.word(word);
        asm.writeTo(space);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setPc(BASE);
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, hart.run(10));
        assertEquals(TrapCause.ILLEGAL_INSTRUCTION, trap.cause());
        assertEquals(BASE, trap.pc());
        assertEquals(word, trap.tval());
    }
}

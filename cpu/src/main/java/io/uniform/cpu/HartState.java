package io.uniform.cpu;

import java.util.Arrays;

/**
 * Everything architectural about a hart at an instruction boundary, to capture and restore it
 * (process migration, checkpoints). Memory is captured separately, with the address space.
 *
 * @param registers x0..x31
 * @param machineCsrs the machine-mode CSR file in the hart's internal order (see {@link Hart})
 */
public record HartState(int pc, int[] registers, int privilege, long instret, long cycles, int[] machineCsrs) {
    public HartState {
        registers = registers.clone();
        machineCsrs = machineCsrs.clone();
    }

    @Override
    public int[] registers() {
        return registers.clone();
    }

    @Override
    public int[] machineCsrs() {
        return machineCsrs.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HartState s && pc == s.pc && privilege == s.privilege && instret == s.instret && cycles == s.cycles
                && Arrays.equals(registers, s.registers)
                && Arrays.equals(machineCsrs, s.machineCsrs);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * pc + Arrays.hashCode(registers)) + Long.hashCode(instret);
    }
}

package io.uniform.cpu.trace;

import io.uniform.cpu.Hart;
import io.uniform.cpu.isa.Decoder;
import io.uniform.cpu.isa.Disassembler;
import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.MemoryFault;
import java.io.PrintStream;

/**
 * Prints one line per instruction the way {@code --trace} shows it: pc, instruction word,
 * disassembly and the register it wrote. Callers step the hart one instruction at a time
 * between {@link #before} and {@link #after}, so the interpreter itself carries no tracing code.
 */
public final class Tracer {
    private final PrintStream out;
    private int pc;
    private int word;
    private boolean fetched;
    private long instretBefore;

    public Tracer(PrintStream out) {
        this.out = out;
    }

    public void before(Hart hart) {
        pc = hart.pc();
        instretBefore = hart.instret();
        try {
            word = hart.addressSpace().load32(pc);
            fetched = true;
        } catch (MemoryFault fault) {
            fetched = false;
        }
    }

    public void after(Hart hart) {
        if (!fetched) {
            out.printf("%08x  ????????  (fetch fault)%n", pc);
            return;
        }
        String text = Disassembler.disassemble(word, pc);
        Isa.Spec spec = Decoder.lookup(word);
        int rd = Decoder.rd(word);
        String effect;
        if (hart.instret() == instretBefore) {
            effect = "(trap)";
        } else if (Decoder.writesRd(spec.format()) && rd != 0) {
            effect = String.format("%s=0x%08x", Disassembler.registerName(rd), hart.register(rd));
        } else {
            effect = "";
        }
        out.printf("%08x  %08x  %-32s %s%n", pc, word, text, effect);
    }
}

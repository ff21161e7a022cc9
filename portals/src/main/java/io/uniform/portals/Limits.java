package io.uniform.portals;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.portals.Layout.NiLimitsT;

/** {@code ptl_ni_limits_t}: what an interface may hold (PtlNIInit's desired and actual limits). */
public record Limits(int maxMes, int maxMds, int maxEqs, int maxAcIndex, int maxPtIndex, int maxMdIovecs,
                     int maxMeList, int maxGetputMd) {

    public static Limits read(AddressSpace space, int address) {
        return new Limits(space.load32(NiLimitsT.MAX_MES.at(address)), space.load32(NiLimitsT.MAX_MDS.at(address)),
                space.load32(NiLimitsT.MAX_EQS.at(address)), space.load32(NiLimitsT.MAX_AC_INDEX.at(address)),
                space.load32(NiLimitsT.MAX_PT_INDEX.at(address)), space.load32(NiLimitsT.MAX_MD_IOVECS.at(address)),
                space.load32(NiLimitsT.MAX_ME_LIST.at(address)), space.load32(NiLimitsT.MAX_GETPUT_MD.at(address)));
    }

    public void write(AddressSpace space, int address) {
        space.store32(NiLimitsT.MAX_MES.at(address), maxMes);
        space.store32(NiLimitsT.MAX_MDS.at(address), maxMds);
        space.store32(NiLimitsT.MAX_EQS.at(address), maxEqs);
        space.store32(NiLimitsT.MAX_AC_INDEX.at(address), maxAcIndex);
        space.store32(NiLimitsT.MAX_PT_INDEX.at(address), maxPtIndex);
        space.store32(NiLimitsT.MAX_MD_IOVECS.at(address), maxMdIovecs);
        space.store32(NiLimitsT.MAX_ME_LIST.at(address), maxMeList);
        space.store32(NiLimitsT.MAX_GETPUT_MD.at(address), maxGetputMd);
    }
}

package io.uniform.portals;

/**
 * Why an incoming message was dropped. Every drop the receiving interface can record is
 * counted in its {@link Ptl#PTL_SR_DROP_COUNT} register; {@link #CORRUPT} also in
 * {@link Ptl#UK_PTL_SR_CORRUPT_COUNT}.
 */
public enum Drop {
    /** The process has no live network interface block (never initialized, finished, or overwritten). */
    NO_INTERFACE,
    /** The message names another process id than the interface's. */
    WRONG_TARGET,
    /** The portal index is outside the portal table. */
    PT_INDEX_INVALID,
    /** The access control index is outside the access control table. */
    AC_INDEX_INVALID,
    /** The access control entry does not admit the initiator, its uid, job or this portal index. */
    ACCESS_DENIED,
    /** No match entry matched with a memory descriptor that accepted the operation. */
    NO_MATCH,
    /** A reply or acknowledgment names no live memory descriptor of the interface. */
    MD_INVALID,
    /** The reply or acknowledgment's memory descriptor is inactive (threshold exhausted). */
    MD_INACTIVE,
    /** A reply does not fit its memory descriptor, which does not truncate. */
    REPLY_TOO_LONG,
    /**
     * The receiving process's own structures are broken: a record that is not what its link
     * says, a match list longer than the interface may hold (a cycle), a buffer or event queue
     * that cannot be written. Nothing is written but the counters.
     */
    CORRUPT
}

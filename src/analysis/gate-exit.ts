/**
 * analysis/gate-exit — the exit codes of a comparison used as a gate (compare, ab), in a leaf
 * module so that cli/errors can list them without loading the comparison code: pass, a judged
 * metric regressed, or nothing could be decided (the gate fails closed rather than pass).
 */
export const GATE_EXIT = { pass: 0, regressed: 1, judgedNothing: 3 } as const;

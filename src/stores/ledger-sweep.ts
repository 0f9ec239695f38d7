/**
 * How the idempotency ledgers forget. Every distinct Idempotency-Key a client sends is an entry,
 * so expired ones must go without waiting for a reuse of the same key: each ledger sweeps once
 * every LEDGER_SWEEP_EVERY claims, removing at most LEDGER_SWEEP_BATCH expired entries. A batch
 * larger than the interval removes more than the claims in between can add, so what is held stays
 * within the live entries plus one interval, and no single request pays for a large delete.
 */
export const LEDGER_SWEEP_EVERY = 100; // claims
export const LEDGER_SWEEP_BATCH = 1000; // entries

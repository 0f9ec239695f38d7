/**
 * `gatehouse/client`: for code that calls APIs. It carries the shared model, so a caller reads
 * challenges, Retry-After, rate limits and problem bodies from one import.
 */
export * from '../http/index.ts';

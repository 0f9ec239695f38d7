/**
 * `gatehouse/server`: for code that serves APIs. It carries the shared model, so a server
 * formats challenges and problem bodies from the reason catalogue with one import.
 */
export * from '../http/index.ts';

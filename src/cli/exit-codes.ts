/**
 * The exit codes of every `gatehouse` command. 64, 69 and 70 are sysexits.h's EX_USAGE,
 * EX_UNAVAILABLE (main.ts, before anything is loaded: it cannot import this file) and EX_SOFTWARE; 130 is what a shell reports for a run ended by SIGINT (128 + 2).
 */
export const EXIT_OK = 0;
/** A problem found: the doctor named a cause, a token was flagged, a user or key was not there. */
export const EXIT_FAILED = 1;
/** The doctor found no cause that fits or got no answer; token inspect could not fetch the keys. */
export const EXIT_UNDECIDED = 2;
export const EXIT_USAGE = 64;
/** An optional package a store or Redis URL needs is not installed (main.ts: Node too old). */
export const EXIT_UNAVAILABLE = 69;
export const EXIT_SOFTWARE = 70;
export const EXIT_INTERRUPTED = 130;

/** The table the overview help prints. */
export const EXIT_CODES_HELP = `Exit codes:
  0    it worked (the doctor: the request works; token inspect: nothing flagged)
  1    a problem was found: the doctor named a cause, token inspect flagged the token,
       or a user, key or client is missing or exists already
  2    the doctor found no cause that fits, or got no answer (unreachable);
       token inspect could not fetch the keys
  64   bad usage: the line on stderr says what, and \`gatehouse <command> --help\` how
  69   this Node.js is older than gatehouse needs (22.13); the line says which it found;
       or a package --store or --redis needs is not installed: the line says to npm install pg or ioredis
  70   an internal error: a bug in gatehouse (GATEHOUSE_DEBUG=1 shows its stack trace)
  130  interrupted (Ctrl-C at a password prompt)`;

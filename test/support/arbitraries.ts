/** fast-check arbitraries for the shapes of HTTP authentication fields. */
import fc from 'fast-check';

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN68_CHARS = '-._~+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 });

export const token68 = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...TOKEN68_CHARS), minLength: 1, maxLength: 40 }),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([chars, pad]) => chars + '='.repeat(pad));

/** Any character a quoted-string can carry: HTAB, SP, VCHAR, obs-text. */
export const quotable = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\t', ' ', '"', '\\', ',', '=', ';'),
    fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 30,
});

/** Parameters with distinct lower-case names, as a parser returns them. */
export const params = fc
  .uniqueArray(
    fc.tuple(
      token.map((t) => t.toLowerCase()),
      quotable,
    ),
    { selector: ([name]) => name, maxLength: 5 },
  )
  .map((entries) => Object.fromEntries(entries));

// fc.record builds null-prototype objects; the parsers return plain ones.
export const challenge = fc.oneof(
  fc.tuple(token, params).map(([scheme, p]) => ({ scheme, params: p })),
  fc.tuple(token, token68).map(([scheme, t]) => ({ scheme, params: {}, token68: t })),
);

/** Anything at all, including lone surrogates and control characters. */
export const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom('"', '\\', ',', '=', ' ', '\t', 'a', 'B', ';', ':', '(', ')', '?', '%', "'", '*'),
    maxLength: 200,
  }),
);

import pc from 'picocolors';

export interface Output {
  /** Colours, on only when the stream is a terminal and NO_COLOR is not set. */
  readonly color: ReturnType<typeof pc.createColors>;
  line(text?: string): void;
}

export function createOutput(stream: NodeJS.WriteStream): Output {
  const enabled = stream.isTTY === true && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
  return {
    color: pc.createColors(enabled),
    line: (text = '') => {
      stream.write(`${text}\n`);
    },
  };
}

/**
 * What Gatehouse's doc comments write, in the words TSDoc reads, for the API reference (applied
 * to built declaration files, never to the sources):
 * - `@default` (as ky writes it) is TSDoc's `@defaultValue`;
 * - an `@example` is code, so it goes in a ```ts fence (TSDoc reads anything else as prose);
 * - an entry's opening comment describes the entry: TSDoc's `@packageDocumentation`.
 */

const COMMENT = /\/\*\*[\s\S]*?\*\//g;
const LINE = /^(\s*\*\s?)(.*)$/;

function fenceExamples(comment: string): string {
  const lines = comment.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = LINE.exec(lines[i]!);
    if (!line || !line[2]!.startsWith('@example')) {
      out.push(lines[i]!);
      continue;
    }
    const prefix = line[1]!.endsWith(' ') ? line[1]! : `${line[1]} `;
    const code: string[] = [];
    const first = line[2]!.slice('@example'.length).trim();
    if (first) code.push(first);
    while (i + 1 < lines.length && !/^\s*\*\//.test(lines[i + 1]!)) {
      const next = LINE.exec(lines[i + 1]!);
      if (!next || next[2]!.startsWith('@')) break;
      code.push(next[2]!);
      i++;
    }
    if (code[0]?.startsWith('```')) out.push(`${prefix}@example`, ...code.map((c) => `${prefix}${c}`));
    else out.push(`${prefix}@example`, `${prefix}\`\`\`ts`, ...code.map((c) => `${prefix}${c}`), `${prefix}\`\`\``);
  }
  return out.join('\n');
}

export function asTsdoc(declarations: string, options: { entry: boolean }): string {
  let text = declarations.replace(COMMENT, (comment) => fenceExamples(comment.replace(/@default\b/g, '@defaultValue')));
  if (options.entry && text.startsWith('/**') && !text.includes('@packageDocumentation')) {
    const end = text.indexOf('*/');
    text = `${text.slice(0, end)}* @packageDocumentation\n ${text.slice(end)}`;
  }
  return text;
}

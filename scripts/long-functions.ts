// `node scripts/long-functions.ts [folder…]`: lists every function in src/ (or the folders given) longer
// than the ~80 lines a reader can hold at once (ARCHITECTURE.md), longest first, and exits 1 if there is one.
// `--max=N` changes the limit. It reads the tree with TypeScript's own parser, so an arrow function passed
// as an argument or a method in an object literal counts the same as a declaration.
import { relative, resolve } from 'node:path';
import { type Node, type SourceFile, SyntaxKind } from 'typescript/unstable/ast';
import { API } from 'typescript/unstable/sync';

const FUNCTION_KINDS = new Set<SyntaxKind>([
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.FunctionExpression,
  SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.Constructor,
  SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor,
]);

interface LongFunction {
  lines: number;
  where: string;
  name: string;
}

/** The name a reader would search for: its own, or that of the variable or property it is assigned to. */
function nameOf(node: Node): string {
  for (const candidate of [node, node.parent]) {
    const name = (candidate as { name?: { text?: string } }).name;
    if (typeof name?.text === 'string') return name.text;
  }
  return '(anonymous)';
}

function lineOf(file: SourceFile, position: number): number {
  const starts = file.getLineStarts();
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= position) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}

function longFunctions(file: SourceFile, max: number, root: string): LongFunction[] {
  const found: LongFunction[] = [];
  const visit = (node: Node): void => {
    if (FUNCTION_KINDS.has(node.kind)) {
      const first = lineOf(file, node.getStart(file));
      const lines = lineOf(file, node.end) - first + 1;
      if (lines > max) found.push({ lines, where: `${relative(root, file.fileName)}:${first}`, name: nameOf(node) });
    }
    node.forEachChild(visit);
  };
  file.forEachChild(visit);
  return found;
}

const args = process.argv.slice(2);
const max = Number(args.find((arg) => arg.startsWith('--max='))?.slice('--max='.length) ?? 80);
const root = process.cwd();
const folders = args.filter((arg) => !arg.startsWith('--')).map((folder) => resolve(folder));
if (folders.length === 0) folders.push(resolve('src'));

const api = new API({ cwd: root });
try {
  const project = api.updateSnapshot({ openProjects: [resolve('tsconfig.json')] }).getProjects()[0];
  if (!project) throw new Error('tsconfig.json opened no project');
  const found = project.program
    .getSourceFileNames()
    .filter((name) => folders.some((folder) => name === folder || name.startsWith(`${folder}/`)))
    .flatMap((name) => {
      const file = project.program.getSourceFile(name);
      return file ? longFunctions(file, max, root) : [];
    })
    .sort((a, b) => b.lines - a.lines);
  for (const { lines, where, name } of found) console.log(`${String(lines).padStart(4)}  ${where}  ${name}`);
  process.exitCode = found.length > 0 ? 1 : 0;
} finally {
  api.close();
}
